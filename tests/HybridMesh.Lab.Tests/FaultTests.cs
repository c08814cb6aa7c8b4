using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;

namespace HybridMesh.Lab.Tests;

/// <summary>Faults on demand and the request log, in process and through the control API.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    // Own lab: faults are per cluster and would disturb other classes sharing a fixture.
    private LabHost _lab = null!;
    private LabCluster Cluster => _lab.Clusters[0];

    public async Task InitializeAsync() => _lab = await LabHost.StartAsync(new LabOptions { Clusters = 1, Fleet = TestFleetKey.Options() });
    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        try { Directory.Delete(_lab.OutputDirectory, true); } catch (IOException) { }
    }

    private const string Path = "/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert";

    [Fact]
    public async Task Status_faults_answer_n_times_with_and_without_retry_after_then_stop()
    {
        using var k = Kube.For(Cluster);
        Cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 429, Count = 2 });
        var first = await k.Get(Path);
        Assert.Equal(429, first.Code);
        Assert.Equal("TooManyRequests", (string?)first.Body!["reason"]);
        Assert.Empty(first.Header("Retry-After"));
        Assert.Equal(429, (await k.Get(Path)).Code);
        Assert.Equal(200, (await k.Get(Path)).Code);

        Cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 429, Count = 1, RetryAfterSeconds = 2 });
        var withRetry = await k.Get(Path);
        Assert.Equal(["2"], withRetry.Header("Retry-After"));
        Assert.Equal(2, (int?)withRetry.Body!["details"]!["retryAfterSeconds"]);

        Cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Count = 1, PathContains = "/secrets" });
        Assert.Equal(200, (await k.Get(Path)).Code);
        Assert.Equal(503, (await k.Get("/api/v1/namespaces/istio-system/secrets")).Code);
        Cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 500, Count = 1 });
        Assert.Equal(500, (await k.Get(Path)).Code);
    }

    [Fact]
    public async Task Reset_aborts_the_connection_and_latency_delays_the_answer()
    {
        using var k = Kube.For(Cluster);
        Cluster.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => k.Get(Path));
        Assert.Equal(200, (await k.Get(Path)).Code);

        Cluster.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = 300, Count = 1 });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(200, (await k.Get(Path)).Code);
        // a lower bound only: the fault must actually delay the answer
        Assert.True(sw.ElapsedMilliseconds >= 290, $"answered after {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Revoked_and_expired_tokens_get_401_until_faults_are_cleared()
    {
        using var k = Kube.For(Cluster);
        Cluster.RevokeToken(Cluster.AdminToken);
        Assert.Equal(401, (await k.Get(Path)).Code);
        Cluster.ClearFaults();
        Assert.Equal(200, (await k.Get(Path)).Code);
        Cluster.ExpireToken(Cluster.AdminToken);
        Assert.Equal(401, (await k.Get(Path)).Code);
        Cluster.ClearFaults();
        Assert.Equal(200, (await k.Get(Path)).Code);
    }

    [Fact]
    public async Task Request_log_records_method_path_query_content_type_and_status()
    {
        using var k = Kube.For(Cluster);
        Cluster.RequestLog.Clear();
        await k.Get(Path + "?timeout=5s");
        await k.Patch("/api/v1/namespaces/default/configmaps/logged?fieldManager=hybridmesh",
            JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"logged"}}""")!, Kube.Apply);
        var log = Cluster.RequestLog.Entries;
        Assert.Equal(2, log.Count);
        Assert.Equal(("GET", Path, "?timeout=5s", 200), (log[0].Method, log[0].Path, log[0].Query, log[0].Status));
        Assert.Equal(("PATCH", 201), (log[1].Method, log[1].Status));
        Assert.StartsWith("application/apply-patch+yaml", log[1].ContentType);
    }

    [Fact]
    public async Task Control_api_drives_faults_logs_load_balancer_and_objects()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_lab.ControlUrl!) };
        using var k = Kube.For(Cluster);
        Assert.Equal(204, (int)(await http.DeleteAsync("/clusters/cluster1/requests")).StatusCode);
        await k.Get(Path);
        var log = JsonNode.Parse(await http.GetStringAsync("/clusters/cluster1/requests"))!.AsArray();
        Assert.Contains(log, e => (string?)e!["path"] == Path && (int?)e["status"] == 200);

        var fault = await http.PostAsJsonAsync("/clusters/cluster1/faults", new { kind = "status", status = 503, count = 1 });
        Assert.Equal(204, (int)fault.StatusCode);
        Assert.Equal(503, (await k.Get(Path)).Code);
        await http.PostAsJsonAsync("/clusters/cluster1/faults", new { kind = "revoke", user = "admin" });
        Assert.Equal(401, (await k.Get(Path)).Code);
        Assert.Equal(204, (int)(await http.DeleteAsync("/clusters/cluster1/faults")).StatusCode);
        Assert.Equal(200, (await k.Get(Path)).Code);

        Assert.Equal(204, (int)(await http.PostAsJsonAsync("/clusters/cluster1/loadbalancer", new { mode = "never" })).StatusCode);
        Assert.True(Cluster.LoadBalancer.Never);
        await http.PostAsJsonAsync("/clusters/cluster1/loadbalancer", new { mode = "delay", delayMs = 5 });
        Assert.False(Cluster.LoadBalancer.Never);
        Assert.Equal(TimeSpan.FromMilliseconds(5), Cluster.LoadBalancer.Delay);

        var seeded = await http.PostAsync("/clusters/cluster1/objects", new StringContent("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"istio-ca-root-cert","namespace":"istio-system"},"data":{"root-cert.pem":"broken"}}
            """));
        Assert.Equal(200, (int)seeded.StatusCode);
        Assert.Equal("broken", (string?)(await k.Get(Path)).Body!["data"]!["root-cert.pem"]);
        var dump = JsonNode.Parse(await http.GetStringAsync("/clusters/cluster1/objects?apiVersion=v1&kind=ConfigMap&namespace=istio-system"))!.AsArray();
        Assert.Contains(dump, o => (string?)o!["metadata"]!["name"] == "istio-ca-root-cert");
    }
}
