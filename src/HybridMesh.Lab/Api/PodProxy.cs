using System.Globalization;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;

namespace HybridMesh.Lab.Api;

/// <summary>
/// pods/{name}[:port]/proxy/{path} (GET): the API server forwards the request to the pod's IP and port and returns what
/// the pod answered. The pod's answer comes from <see cref="ClusterRuntime.ProxyHandler"/> (the mesh model's istiod
/// serves /debug/clusterz on 15014); when nothing answers, a 503 Status as the API server gives for a failed dial.
/// Used by HybridMesh where pods/exec is forbidden (docs/design/in-cluster-probes.md).
/// </summary>
internal static class PodProxy
{
    public static async Task<ApiResult> HandleAsync(ClusterRuntime rt, RequestTarget t, CancellationToken ct)
    {
        var segment = t.Name ?? "";
        var colon = segment.LastIndexOf(':');
        var name = colon > 0 ? segment[..colon] : segment;
        var port = colon > 0 && int.TryParse(segment[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 80;
        var pod = rt.Store.Get("pods", t.Namespace, name) ?? throw KubeStatus.NotFound("pods", "", name);
        var ip = (string?)pod["status"]?["podIP"];
        if (string.IsNullOrEmpty(ip))
            return new ApiResult(503, KubeStatus.Failure($"address not allowed", "ServiceUnavailable", 503, new JsonObject()));
        var answer = rt.ProxyHandler is { } handler
            ? await handler(new LabProxyRequest(rt.Name, t.Namespace!, name, port, t.ProxyPath ?? "/", (JsonObject)pod.DeepClone()), ct)
            : null;
        if (answer is null)
        {
            return new ApiResult(503, KubeStatus.Failure($"error trying to reach service: dial tcp {ip}:{port}: connect: connection refused",
                "ServiceUnavailable", 503, new JsonObject()));
        }

        return new ApiResult(answer.ExitCode == 0 ? 200 : answer.ExitCode, null, "application/json", Text: answer.Stdout);
    }
}
