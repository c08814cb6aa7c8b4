using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridMesh.Lab.Api;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// The simulated kubelet answering `curl ... http://&lt;service&gt;.&lt;namespace&gt;:&lt;port&gt;/hello` in a client pod:
/// the sidecar's view is every Running, Ready pod labelled app=&lt;service&gt; in that namespace of this cluster, plus
/// those of every cluster the <see cref="MeshModel"/> says is reachable; one is picked and answers as
/// the helloworld sample does ("Hello version: v1, instance: &lt;pod&gt;"), round-robin per client cluster so that
/// K calls over N reachable endpoints reach each of them when K ≥ N. Other commands exit 127.
/// </summary>
public sealed partial class CurlExecHandler(LabHost lab, LabCluster cluster)
{
    private readonly MeshModel _model = new(lab.Partitions);
    private int _next;

    [GeneratedRegex(@"^(?:https?://)?(?<svc>[a-z0-9-]+)\.(?<ns>[a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?:(?<port>\d+)(?<path>/\S*)?$")]
    private static partial Regex Url();

    public async Task<LabExecResult> HandleAsync(LabExecRequest request, CancellationToken ct)
    {
        if (request.Command.Count == 0 || Path.GetFileName(request.Command[0]) != "curl")
            return new LabExecResult("", $"{request.Command.FirstOrDefault()}: command not found\n", 127);
        var target = request.Command.Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
        var match = target is null ? null : Url().Match(target);
        if (match is not { Success: true })
            return new LabExecResult("", "curl: (3) URL rejected: Bad hostname\n", 3);
        var (svc, ns) = (match.Groups["svc"].Value, match.Groups["ns"].Value);
        // DNS: the name resolves only where the Service exists in the client's own cluster.
        if (cluster.GetObject("v1", "Service", ns, svc) is null)
            return new LabExecResult("", $"curl: (6) Could not resolve host: {svc}.{ns}\n", 6);

        var endpoints = new List<JsonObject>();
        foreach (var peer in lab.Clusters)
        {
            var pods = ReadyPods(peer, ns, svc);
            if (pods.Count == 0) continue;
            if (peer != cluster && await _model.BrokenLinkAsync(cluster, peer, ct) is not null) continue;
            endpoints.AddRange(pods);
        }

        if (endpoints.Count == 0) return new LabExecResult("no healthy upstream");
        var pod = endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Count)];
        var version = Env(pod, "SERVICE_VERSION") ?? (string?)pod["metadata"]?["labels"]?["version"] ?? "unknown";
        return new LabExecResult($"Hello version: {version}, instance: {(string?)pod["metadata"]?["name"]}\n");
    }

    private static List<JsonObject> ReadyPods(LabCluster c, string ns, string app) =>
        c.ListObjects("v1", "Pod", ns).Where(p =>
            (string?)p["metadata"]?["labels"]?["app"] == app &&
            p["metadata"]?["deletionTimestamp"] is null &&
            (string?)p["status"]?["phase"] == "Running" &&
            (p["status"]?["conditions"] as JsonArray ?? []).Any(x => (string?)x?["type"] == "Ready" && (string?)x?["status"] == "True")).ToList();

    private static string? Env(JsonObject pod, string name) =>
        (pod["spec"]?["containers"] as JsonArray ?? []).SelectMany(c => c?["env"] as JsonArray ?? [])
            .Where(e => (string?)e?["name"] == name).Select(e => (string?)e?["value"]).FirstOrDefault();
}
