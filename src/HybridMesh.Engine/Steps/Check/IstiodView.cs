using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>What one istiod pod answered, or why it could not be asked.</summary>
internal sealed record IstiodPodView(string Pod, int? MinorVersion, IReadOnlyList<ClusterzEntry>? Entries, string? Problem, string? Action);

/// <summary>
/// istiod's own view of the remote clusters in one cluster (docs/design/istiod-view.md): for every istiod pod of the
/// mesh revision, `pilot-discovery request GET /debug/clusterz` run through pods/exec in its `discovery` container
/// (that command calls 127.0.0.1:15014 inside the pod, so no port-forward and no istioctl). One exec per pod, all
/// pods at once.
/// </summary>
internal sealed partial class IstiodView
{
    public const string Container = "discovery";
    public static readonly string[] Command = ["pilot-discovery", "request", "GET", "/debug/clusterz"];

    public required string Context { get; init; }
    public IReadOnlyList<IstiodPodView> Pods { get; init; } = [];
    /// <summary>Why no pod could be listed (the API server refused), or null.</summary>
    public string? Problem { get; init; }

    public bool Readable => Problem is null && Pods.Count > 0 && Pods.All(p => p.Entries is not null);

    public static async Task<IstiodView> ReadAsync(MeshTarget target, KubeSessionOptions options, CancellationToken ct)
    {
        using var sessions = new KubeSessionPool(options);
        return await ReadAsync(target, sessions, ct).ConfigureAwait(false);
    }

    /// <summary>The same, through the run's session for the cluster (shared with the in-cluster probe).</summary>
    public static async Task<IstiodView> ReadAsync(MeshTarget target, KubeSessionPool sessions, CancellationToken ct)
    {
        try
        {
            var session = sessions.For(target.Cluster);
            var selector = "app=istiod" + (string.IsNullOrEmpty(target.Revision) ? "" : ",istio.io/rev=" + target.Revision);
            var pods = (await session.ListAsync("v1", "Pod", IstioNames.SystemNamespace, selector, ct).ConfigureAwait(false))
                .Where(p => p["metadata"]?["deletionTimestamp"] is null && ClusterSnapshot.Text(p["status"]?["phase"]) == "Running")
                .ToArray();
            var views = await Task.WhenAll(pods.Select(p => ReadPodAsync(session, p, ct))).ConfigureAwait(false);
            return new IstiodView { Context = target.Context, Pods = views.OrderBy(v => v.Pod, StringComparer.Ordinal).ToArray() };
        }
        catch (MeshException ex)
        {
            return new IstiodView { Context = target.Context, Problem = ex.Message };
        }
    }

    private static async Task<IstiodPodView> ReadPodAsync(KubeSession session, JsonObject pod, CancellationToken ct)
    {
        var name = ClusterSnapshot.Text(pod["metadata"]?["name"]) ?? "";
        var minor = MinorVersion(pod);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(session.Timeout);
        try
        {
            var (exit, stdout, stderr) = await session.ExecAsync(IstioNames.SystemNamespace, name, Container, Command, timeout.Token)
                .ConfigureAwait(false);
            if (exit != 0)
            {
                return new IstiodPodView(name, minor, null,
                    $"`{string.Join(' ', Command)}` exited {exit} in pod {name}: {MeshErrors.RedactUserInfo(stderr.Trim())}",
                    "Check that the pod runs istiod (container discovery) and that its monitoring port 15014 is up (kubectl logs).");
            }

            return new IstiodPodView(name, minor, ClusterzEntry.Parse(stdout), null, null);
        }
        catch (FormatException ex)
        {
            return new IstiodPodView(name, minor, null, ex.Message, "Check that the pod runs istiod and is not starting up.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new IstiodPodView(name, minor, null, $"exec into {name} timed out after {session.Timeout.TotalSeconds:0} s.",
                "Check the API server's connection to the node's kubelet (port 10250), or raise -RequestTimeoutSec.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var (problem, action) = ExecFailure(session.Context, name, ex);
            // Exec forbidden: ask the same port through the API server's pods/proxy (docs/design/in-cluster-probes.md).
            return KubeSession.ExecHandshakeStatus(ex) == 403
                ? await IstiodProxyFallback.ReadAsync(session, name, minor, problem, ct).ConfigureAwait(false)
                : new IstiodPodView(name, minor, null, problem, action);
        }
    }

    /// <summary>
    /// Exec failures in words: the WebSocket handshake's HTTP status (403: pods/exec not allowed; 500: the API server
    /// cannot reach the kubelet) instead of "status code 500 when 101 was expected" (docs/design/istiod-view.md).
    /// </summary>
    public static (string Problem, string Action) ExecFailure(string context, string pod, Exception ex)
    {
        var code = KubeSession.ExecHandshakeStatus(ex);
        return code switch
        {
            401 => ($"'{context}' rejected this machine's credentials for exec into {pod} (401).",
                "Refresh the kubeconfig's credentials (Get-MeshCluster) and try again."),
            403 => ($"This machine's identity may not exec into {pod} in '{context}' (403 on pods/exec).",
                "Grant create on pods/exec in istio-system to this identity, or pass -SkipIstiodView."),
            404 => ($"Pod {pod} disappeared in '{context}' while it was being asked (404).", "Run the check again once istiod is ready."),
            500 or 502 or 503 => ($"The API server of '{context}' could not reach the kubelet running {pod} (exec answered {code}).",
                "Let the API server reach the nodes' kubelet on port 10250 (control-plane firewall or konnectivity), then run the check again."),
            _ when ex is WebSocketException or IOException or HttpRequestException => ($"Exec into {pod} in '{context}' failed: {MeshErrors.RedactUserInfo(ex.Message.Split('\n')[0])}",
                "Check that the API server supports WebSocket exec and that no proxy in between blocks the upgrade."),
            _ => ($"Exec into {pod} in '{context}' failed: {MeshErrors.RedactUserInfo(ex.Message.Split('\n')[0])}",
                "Run the check again; if it persists, try `kubectl exec` into the pod to see what the cluster answers."),
        };
    }

    /// <summary>Minor Istio version from the discovery container's image tag (…/pilot:1.28.2-asm.4 → 28), or null.</summary>
    private static int? MinorVersion(JsonObject pod)
    {
        var image = (pod["spec"]?["containers"] as JsonArray ?? [])
            .FirstOrDefault(c => ClusterSnapshot.Text(c?["name"]) == Container)?["image"];
        var text = ClusterSnapshot.Text(image) ?? "";
        var parts = text[(text.LastIndexOf(':') + 1)..].Split('.');
        return parts.Length >= 2 && parts[0] == "1" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? minor : null;
    }
}
