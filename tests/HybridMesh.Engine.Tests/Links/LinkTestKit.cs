using System.Net;
using System.Text;
using HybridMesh.Engine.Steps.Links;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Lab;

namespace HybridMesh.Engine.Tests.Links;

/// <summary>Requests and probes shared by the link tests.</summary>
internal static class LinkTestKit
{
    public static LinkRotationRequest Rotation(MeshLab lab, params string[] sources) => Rotation(lab, sources, null, null);

    public static LinkRotationRequest Rotation(MeshLab lab, IReadOnlyList<string> sources, TimeSpan? olderThan,
        TimeProvider? clock)
    {
        var mesh = lab.Request();
        return new LinkRotationRequest
        {
            Targets = mesh.Targets, Sources = sources, OlderThan = olderThan, Kube = mesh.Kube,
            Clock = clock ?? TimeProvider.System,
        };
    }

    public static LinkInventoryRequest Inventory(MeshLab lab) => new() { Targets = lab.Request().Targets, Kube = lab.Request().Kube };

    /// <summary>The token a token Secret holds now (null when the Secret is gone).</summary>
    public static string? Token(LabCluster cluster, string secretName) =>
        cluster.GetObject("v1", "Secret", "istio-system", secretName)?["data"]?["token"]?.GetValue<string>() is { } b64
            ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null;

    /// <summary>What the source's API server answers a reader asking for its services with <paramref name="token"/>.</summary>
    public static async Task<HttpStatusCode> ListServicesAs(LabCluster cluster, string token)
    {
        using var http = cluster.CreateHttpClient(token);
        using var response = await http.GetAsync("/api/v1/services?limit=1");
        return response.StatusCode;
    }

    public static async Task<Models.Mesh> NewMeshAsync(MeshLab lab)
    {
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        return mesh;
    }
}

/// <summary>A clock moved forward, to age tokens the lab issued just now.</summary>
internal sealed class ShiftedClock(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
}
