using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Probe;

/// <summary>The names of the in-cluster probe checks (docs/design/in-cluster-probes.md).</summary>
internal static class ProbeCheckNames
{
    /// <summary>Per ordered link T → S: a pod in T reaches the server of T's remote secret for S with its CA, server name and token.</summary>
    public const string PodApiServerReach = "PodApiServerReach";

    /// <summary>Per ordered link T → S: a pod in T connects to S's east-west gateway on 15443 and gets 200 from :15021/healthz/ready.</summary>
    public const string PodGatewayReach = "PodGatewayReach";
}

/// <summary>
/// Turns what each cluster's probe pod saw into one PodApiServerReach and one PodGatewayReach per ordered link, and
/// lets them decide the workstation-only verdicts on a remote secret's server (docs/design/in-cluster-probes.md).
/// </summary>
internal static class ProbeChecks
{
    private const string Relink = "Run New-Mesh with every cluster of the mesh to rewrite the remote secrets.";

    public static async Task<IReadOnlyList<ClusterProbe?>> RunAsync(IReadOnlyList<ClusterSnapshot> snapshots, ProbeOptions options,
        KubeSessionOptions kube, int throttleLimit, IMeshSink sink, CancellationToken ct)
    {
        using var sessions = new KubeSessionPool(kube);
        return await RunAsync(snapshots, options, sessions, throttleLimit, sink, ct).ConfigureAwait(false);
    }

    /// <summary>The same, through the run's sessions (shared with istiod's view, docs/design/in-cluster-probes.md).</summary>
    public static async Task<IReadOnlyList<ClusterProbe?>> RunAsync(IReadOnlyList<ClusterSnapshot> snapshots, ProbeOptions options,
        KubeSessionPool sessions, int throttleLimit, IMeshSink sink, CancellationToken ct) =>
        await BoundedFanOut.RunAsync(snapshots, throttleLimit, sink, 68, "Probing from inside the clusters", s => s.Context,
            (s, token) => InClusterProbe.RunAsync(s, snapshots, options, sessions, sink, token), ct).ConfigureAwait(false);

    /// <summary>
    /// Per ordered link (holder, peer) a PodApiServerReach, then per ordered link a PodGatewayReach.
    /// <paramref name="unlinked"/>: before New-Mesh (Test-MeshPrerequisite), where a missing gateway is not installed yet.
    /// </summary>
    public static IReadOnlyList<MeshCheck> Run(IReadOnlyList<ClusterSnapshot> snapshots, IReadOnlyList<ClusterProbe?> probes, bool unlinked = false)
    {
        var pairs = snapshots.Select((s, i) => (s, probe: probes[i])).SelectMany(h => snapshots.Where(p => !ReferenceEquals(p, h.s))
            .Select(peer => (holder: h.s, h.probe, peer))).ToArray();
        return [.. pairs.Select(x => ApiServer(x.holder, x.peer, x.probe)), .. pairs.Select(x => Gateway(x.holder, x.peer, x.probe, unlinked))];
    }

    private static MeshCheck? NotRun(string check, ClusterSnapshot holder, ClusterSnapshot peer, ClusterProbe? probe)
    {
        var (t, p) = (holder.Context, peer.Context);
        if (!holder.Reachable || !peer.Reachable || probe is null)
        {
            var down = holder.Reachable ? peer : holder;
            return Result.Skip(check, t, $"Not checked: the API server of '{down.Context}' cannot be read.", p);
        }

        if (peer.Details?.IstioClusterName is not { Length: > 0 })
        {
            return Result.Skip(check, t, $"Not checked: '{p}' has no istiod with a CLUSTER_ID.", p);
        }

        if (probe.Skipped)
        {
            return Result.Skip(check, t, $"Not checked: the probe pod in '{t}' was {probe.Problem ?? "not run."}", p);
        }

        return probe.Problem is { } problem
            ? Result.Warn(check, t, $"Not checked from inside '{t}': {problem}", probe.Action ?? "Run the check again.", p)
            : null;
    }

    private static MeshCheck ApiServer(ClusterSnapshot holder, ClusterSnapshot peer, ClusterProbe? probe)
    {
        const string check = ProbeCheckNames.PodApiServerReach;
        if (NotRun(check, holder, peer, probe) is { } notRun)
        {
            return notRun;
        }

        var (t, p, id) = (holder.Context, peer.Context, peer.Details!.IstioClusterName!);
        if (probe!.Specs.OfType<ApiServerSpec>().FirstOrDefault(s => s.PeerId == id) is not { } spec)
        {
            return Result.Skip(check, t, $"Not checked: '{t}' holds no remote secret for '{id}' (see {CheckNames.RemoteSecret}).", p);
        }

        var server = MeshErrors.RedactUserInfo(spec.Server);
        // Before linking there is no token: GET /version alone, anonymously, proves the address reaches p's API server.
        var steps = Steps(probe, "api", id, t, p, MeshProbeTarget.ApiServer, server,
            spec.Unlinked ? [("version", "GET /version")] : [("version", "GET /version"), ("services", "list services")], spec.Unlinked);
        var pod = $"pod {probe.Pod}";
        var how = spec.Unlinked
            ? $"anonymously, verified with {(spec.CaPem is null ? "the system CAs" : $"'{p}''s cluster CA")} (no remote secret yet; New-Mesh writes it)"
            : $"with the CA{(string.IsNullOrEmpty(spec.TlsServerName) ? "" : $", TLS server name {spec.TlsServerName}")} and token of secret {ProbePod.SecretName(spec.KubeconfigPath!)}";
        if (steps.FirstOrDefault(s => !s.Succeeded) is not { } failed)
        {
            return With(Result.Pass(check, t, $"From {pod} in '{t}', {server} answered {Timings(steps)} {how}: what istiod does first{(spec.Unlinked ? " once linked" : "")}.", p), steps);
        }

        var what = $"From {pod} in '{t}', {failed.Step} at {server} ({how}) failed";
        var overrideHint = $"{(spec.Unlinked ? "Test-MeshPrerequisite and New-Mesh" : "New-Mesh")} -ServerOverride @{{ '{id}' = 'https://<address>' }}";
        var reach = $"Make {server} reachable from pods in '{t}' (VPN or firewall rule), or give '{p}' an address pods in '{t}' reach: {overrideHint}.";
        var check2 = failed.Error switch
        {
            MeshProbeError.Dns => Result.Fail(check, t, $"{what}: the name does not resolve inside '{t}' ({failed.Message}).",
                $"Make the name resolvable from pods in '{t}' (cluster DNS forwarding, VPN DNS), or give '{p}' an address pods in '{t}' reach: {overrideHint}.", p),
            MeshProbeError.Refused => Result.Fail(check, t, $"{what}: connection refused ({failed.Message}).", reach, p),
            MeshProbeError.Timeout => Result.Fail(check, t, $"{what}: no answer within the timeout - a firewall drops the traffic or there is no route ({failed.Message}).", reach, p),
            MeshProbeError.Tls when spec.Unlinked => Result.Fail(check, t,
                $"{what}: the TLS handshake failed ({failed.Message}); what answers there is not '{p}''s API server with a certificate of its cluster CA (a TLS-terminating proxy or another cluster).",
                $"Give an address that reaches '{p}''s API server directly: {overrideHint}.", p),
            MeshProbeError.Tls => Result.Fail(check, t,
                $"{what}: the TLS handshake failed ({failed.Message}); what answers there is not '{p}''s API server as the secret's CA and server name describe it (a TLS-terminating proxy, another cluster, or a rotated CA).",
                $"Re-run New-Mesh so that the secret carries '{p}''s current CA; if the address is a proxy or load balancer that terminates TLS, give one that reaches the API server directly: {overrideHint}.", p),
            MeshProbeError.Unauthorized => Result.Fail(check, t, $"{what}: '{p}' rejects the token (401: revoked, expired, or its Secret deleted).",
                $"{Relink} (or Update-MeshLinkCredential for '{p}').", p),
            MeshProbeError.Forbidden => Result.Fail(check, t, $"{what}: the token authenticates but may not list services (403).",
                "Restore the istio-reader ClusterRole and its binding on the peer (reinstall Cloud Service Mesh), then run New-Mesh.", p),
            _ => Result.Fail(check, t, $"{what}: {failed.Error}{(failed.HttpStatus is > 0 and var code ? $" (HTTP {code})" : "")} {failed.Message}".TrimEnd() + ".",
                $"Run `kubectl -n istio-system debug` or a curl pod in '{t}' against {server} to see what answers there.", p),
        };
        return With(check2, steps);
    }

    private static MeshCheck Gateway(ClusterSnapshot holder, ClusterSnapshot peer, ClusterProbe? probe, bool unlinked)
    {
        const string check = ProbeCheckNames.PodGatewayReach;
        if (NotRun(check, holder, peer, probe) is { } notRun)
        {
            return notRun;
        }

        var (t, p, id) = (holder.Context, peer.Context, peer.Details!.IstioClusterName!);
        if (probe!.Specs.OfType<GatewaySpec>().FirstOrDefault(s => s.PeerId == id) is not { } spec)
        {
            return Result.Skip(check, t, unlinked
                ? $"Not checked: '{p}' has no east-west gateway address yet (Install-EastWestGateway creates it; run this again afterwards to prove it from inside '{t}')."
                : $"Not checked: '{p}' has no east-west gateway address (see {CheckNames.EastWestGateway}).", p);
        }

        var steps = Steps(probe, "gw", id, t, p, MeshProbeTarget.Gateway, spec.Address,
            [("tcp15443", "TCP 15443"), ("healthz", "GET :15021/healthz/ready")]);
        var pod = $"pod {probe.Pod}";
        var firewall = $"Let pods in '{t}' reach {spec.Address} on TCP 15443 and 15021 ('{p}''s east-west gateway): VPN route or firewall rule; cross-network traffic from '{t}' to '{p}' goes nowhere else.";
        var tcp = steps[0];
        if (!tcp.Succeeded)
        {
            var why = tcp.Error switch
            {
                MeshProbeError.Refused => "connection refused",
                MeshProbeError.Timeout => "no answer within the timeout (dropped, or no route)",
                MeshProbeError.Dns => "the name does not resolve",
                _ => $"{tcp.Error} {tcp.Message}".Trim(),
            };
            return With(Result.Fail(check, t, $"From {pod} in '{t}', '{p}''s east-west gateway {spec.Address}:15443 cannot be reached: {why}.", firewall, p), steps);
        }

        var health = steps[1];
        if (!health.Succeeded)
        {
            var answer = health.HttpStatus is > 0 and var code ? $"answered {code}" : $"failed: {health.Error} {health.Message}".Trim();
            return With(Result.Fail(check, t,
                $"From {pod} in '{t}', {spec.Address}:15443 accepts connections but GET :15021/healthz/ready {answer}: the gateway's proxy is not ready.",
                health.HttpStatus is > 0
                    ? $"Check the istio-eastwestgateway pods in istio-system of '{p}' (kubectl -n istio-system get pods -l istio=eastwestgateway; their proxy must be connected to istiod)."
                    : firewall, p), steps);
        }

        return With(Result.Pass(check, t, $"From {pod} in '{t}', '{p}''s east-west gateway {spec.Address} accepts TCP on 15443 ({tcp.LatencyMs:0} ms) and is ready on :15021 ({health.LatencyMs:0} ms).", p), steps);
    }

    private static IReadOnlyList<MeshProbeResult> Steps(ClusterProbe probe, string kind, string id, string from, string to, MeshProbeTarget target,
        string address, (string Key, string Name)[] steps, bool anonymous = false) =>
        steps.Select(step =>
        {
            var line = probe.Lines.FirstOrDefault(l => l.Kind == kind && l.PeerId == id && l.Step == step.Key);
            if (line is null)
            {
                return new MeshProbeResult { From = from, To = to, Target = target, Address = address, Step = step.Name, Error = MeshProbeError.Other, Message = "no result (the probe command was cut short)" };
            }

            // TCP to 15443: connected is what counts (the gateway then resets a TLS hello without a mesh SNI).
            var error = step.Key == "tcp15443"
                ? line.ConnectSeconds > 0 ? MeshProbeError.None : ProbeScript.Classify(line.CurlExit is 0 ? 7 : line.CurlExit, 0)
                : ProbeScript.Classify(line.CurlExit, line.HttpCode);
            // An anonymous call answered 401/403 over a verified TLS connection: the API server is reached (anonymous auth is off or restricted).
            if (anonymous && error is MeshProbeError.Unauthorized or MeshProbeError.Forbidden)
            {
                error = MeshProbeError.None;
            }

            return new MeshProbeResult
            {
                From = from, To = to, Target = target, Address = address, Step = step.Name, Error = error,
                HttpStatus = line.HttpCode > 0 ? line.HttpCode : null,
                LatencyMs = Math.Round((step.Key == "tcp15443" ? line.ConnectSeconds : line.TotalSeconds) * 1000, 1),
                Message = error == MeshProbeError.None ? null : MeshErrors.RedactUserInfo(FirstSentence(line.Error.Length > 0 ? line.Error : $"curl exit {line.CurlExit}")),
            };
        }).ToArray();

    /// <summary>curl's first line of an error (it appends a paragraph about certificates to TLS failures).</summary>
    private static string FirstSentence(string text)
    {
        var cut = text.IndexOf(" More details here", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text).Trim();
    }

    private static string Timings(IReadOnlyList<MeshProbeResult> steps) =>
        string.Join(" and ", steps.Select(s => $"{s.Step} {s.HttpStatus} in {s.LatencyMs:0} ms"));

    private static MeshCheck With(MeshCheck check, IReadOnlyList<MeshProbeResult> steps) => new()
    {
        Check = check.Check, Cluster = check.Cluster, Peer = check.Peer, Status = check.Status, Detail = check.Detail,
        RecommendedAction = check.RecommendedAction, Probes = steps,
    };

    /// <summary>
    /// The workstation-only verdicts on a remote secret's server give way to what T's pods saw (docs/design/in-cluster-probes.md):
    /// RemoteSecretServer (another address than this machine uses) and RemoteSecretCredentials (this machine could not
    /// reach it) become Passed when the pod reached it with the secret's CA and token, Failed with the pod's reason
    /// when it could not. Verdicts the probe did not test (a probe that did not run) stay as they are.
    /// </summary>
    public static IReadOnlyList<MeshCheck> Reconcile(IReadOnlyList<MeshCheck> checks)
    {
        var reach = checks.Where(c => c.Check == ProbeCheckNames.PodApiServerReach && c.Status is MeshCheckStatus.Passed or MeshCheckStatus.Failed)
            .ToDictionary(c => (c.Cluster, c.Peer));
        return checks.Select(c =>
        {
            if (c.Status != MeshCheckStatus.Warning || c.Check is not (CheckNames.RemoteSecretServer or CheckNames.RemoteSecretCredentials) ||
                !reach.TryGetValue((c.Cluster, c.Peer), out var pod) ||
                (c.Check == CheckNames.RemoteSecretCredentials && !c.Detail.StartsWith(RemoteSecretChecks.UnreachableFromHere, StringComparison.Ordinal)))
            {
                return c;
            }

            return pod.Status == MeshCheckStatus.Passed
                ? Result.Pass(c.Check, c.Cluster, $"{c.Detail} Pods in '{c.Cluster}' reach it with the secret's CA and token ({ProbeCheckNames.PodApiServerReach}), which is what counts.", c.Peer)
                : Result.Fail(c.Check, c.Cluster, $"{c.Detail} Pods in '{c.Cluster}' cannot use it either ({ProbeCheckNames.PodApiServerReach}): {pod.Detail}", pod.RecommendedAction!, c.Peer);
        }).ToArray();
    }
}
