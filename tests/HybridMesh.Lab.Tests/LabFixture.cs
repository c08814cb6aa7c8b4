using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab;

namespace HybridMesh.Lab.Tests;

/// <summary>One two-cluster lab shared by a test class; tests use their own namespaces so they do not collide.</summary>
public sealed class LabFixture : IAsyncLifetime
{
    public LabHost Lab { get; private set; } = null!;
    public LabCluster Gke => Lab.Clusters[0];
    public LabCluster OnPrem => Lab.Clusters[1];
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "hm-lab-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync() =>
        Lab = await LabHost.StartAsync(new LabOptions { Clusters = 2, OutputDirectory = Directory, Fleet = TestFleetKey.Options() });

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}

/// <summary>A raw API answer: status, parsed JSON body, response headers.</summary>
public sealed record KubeAnswer(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)
{
    public int Code => (int)Status;
    public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"body is not an object: {Body}");
    public IEnumerable<string> Header(string name) =>
        Response.Headers.TryGetValues(name, out var v) ? v : Response.Content.Headers.TryGetValues(name, out var c) ? c : [];
}

/// <summary>Small REST client over a lab cluster, for asserting exact answers.</summary>
public sealed class Kube(HttpClient http) : IDisposable
{
    public const string Json = "application/json; charset=utf-8";
    public const string Apply = "application/apply-patch+yaml; charset=utf-8";
    public const string Merge = "application/merge-patch+json; charset=utf-8";
    public const string Strategic = "application/strategic-merge-patch+json; charset=utf-8";
    public const string JsonPatch = "application/json-patch+json; charset=utf-8";

    public static Kube For(LabCluster cluster, string? token = null) => new(cluster.CreateHttpClient(token));

    public async Task<KubeAnswer> Send(HttpMethod method, string path, object? body = null, string contentType = Json, string? accept = null)
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var text = body is string s ? s : body is JsonNode n ? n.ToJsonString() : throw new ArgumentException("body");
            req.Content = new StringContent(text, Encoding.UTF8);
            req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null) req.Headers.TryAddWithoutValidation("Accept", accept);
        var resp = await http.SendAsync(req);
        var raw = await resp.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        if (raw.Length > 0 && (raw[0] == '{' || raw[0] == '[')) parsed = JsonNode.Parse(raw);
        return new KubeAnswer(resp.StatusCode, parsed, resp);
    }

    public Task<KubeAnswer> Get(string path, string? accept = null) => Send(HttpMethod.Get, path, accept: accept);
    public Task<KubeAnswer> Post(string path, JsonNode body) => Send(HttpMethod.Post, path, body);
    public Task<KubeAnswer> Put(string path, JsonNode body) => Send(HttpMethod.Put, path, body);
    public Task<KubeAnswer> Delete(string path, JsonNode? body = null) => Send(HttpMethod.Delete, path, body);
    public Task<KubeAnswer> Patch(string path, JsonNode body, string contentType) => Send(HttpMethod.Patch, path, body, contentType);

    public async Task<string> NewNamespace(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var r = await Post("/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        Assert.Equal(201, r.Code);
        return name;
    }

    public void Dispose() => http.Dispose();

    /// <summary>Polls until <paramref name="condition"/> holds; a bound on waiting, not a timing assertion.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < until)
        {
            if (await condition()) return;
            await Task.Delay(20);
        }
        Assert.Fail($"timed out waiting for {what}");
    }
}
