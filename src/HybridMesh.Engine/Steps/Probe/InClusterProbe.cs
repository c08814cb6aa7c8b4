using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Probe;

/// <summary>What the probe pod of one cluster reported, or why it could not run.</summary>
internal sealed record ClusterProbe(string Context, string? Pod, IReadOnlyList<ProbeLine> Lines, IReadOnlyList<ProbeSpec> Specs,
    string? Problem = null, string? Action = null, bool Skipped = false)
{
    public bool Ran => Problem is null && !Skipped;
}

/// <summary>
/// One cluster's in-cluster probe (docs/design/in-cluster-probes.md): create one pod, wait until it runs, one exec
/// that calls every peer at once, delete the pod. Anything that keeps the pod from running (RBAC, image pull,
/// exec refused) is reported as the reason, never thrown.
/// </summary>
internal static class InClusterProbe
{
    private static readonly HashSet<string> Stuck = new(StringComparer.Ordinal)
    {
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    };

    /// <summary>
    /// What T's pod calls for every peer: the server of T's remote secret for the peer (before linking: the address the
    /// peer would be given, see <see cref="ProbeOptions.Unlinked"/>), and the peer's gateway.
    /// </summary>
    public static IReadOnlyList<ProbeSpec> Specs(ClusterSnapshot holder, IReadOnlyList<ClusterSnapshot> all,
        IReadOnlyDictionary<string, UnlinkedPeer>? unlinked = null)
    {
        var specs = new List<ProbeSpec>();
        foreach (var peer in all.Where(p => !ReferenceEquals(p, holder) && p.Reachable))
        {
            if (peer.Details?.IstioClusterName is not { Length: > 0 } id)
            {
                continue;
            }

            if (unlinked is not null)
            {
                if (unlinked.TryGetValue(peer.Context, out var given))
                {
                    specs.Add(new ApiServerSpec(id, given.Server, null, null, given.CaPem));
                }
            }
            else if (SecretFor(holder, id) is { } secret && secret.Server.Length > 0)
            {
                specs.Add(new ApiServerSpec(id, secret.Server, secret.TlsServerName, ProbePod.KubeconfigPath(secret.SecretName, secret.Key)));
            }

            if (GatewayAddress(peer) is { } address)
            {
                specs.Add(new GatewaySpec(id, address));
            }
        }

        return specs;
    }

    /// <summary>The kubeconfig istiod in the holder uses for <paramref name="id"/>: the secret New-Mesh writes, else any keyed so.</summary>
    public static RemoteSecretKubeconfig? SecretFor(ClusterSnapshot holder, string id)
    {
        var current = RemoteSecretRenderer.SecretName(id);
        return holder.RemoteKubeconfigs.FirstOrDefault(k => k.Key == id && k.SecretName == current) ??
               holder.RemoteKubeconfigs.FirstOrDefault(k => k.Key == id);
    }

    /// <summary>The east-west gateway address other clusters use (load-balancer ingress, else externalIPs), or null.</summary>
    public static string? GatewayAddress(ClusterSnapshot peer) =>
        peer.EastWestService is { } service ? ClusterChecks.Addresses(service).FirstOrDefault() : null;

    public static async Task<ClusterProbe> RunAsync(ClusterSnapshot holder, IReadOnlyList<ClusterSnapshot> all, ProbeOptions options,
        KubeSessionPool sessions, IMeshSink sink, CancellationToken ct)
    {
        var specs = Specs(holder, all, options.Unlinked);
        if (!holder.Reachable)
        {
            return new ClusterProbe(holder.Context, null, [], specs, Skipped: true);
        }

        if (specs.Count == 0)
        {
            return new ClusterProbe(holder.Context, null, [], specs);
        }

        var name = ProbePod.NewName();
        if (!sink.ShouldProcess($"pod {options.Namespace}/{name} @ {holder.Context}",
                "Create a short-lived probe pod, exec curl in it against every peer's API server and gateway, then delete it"))
        {
            return new ClusterProbe(holder.Context, null, [], specs, "not run (-WhatIf, or creating the probe pod was declined).", null, Skipped: true);
        }

        var session = sessions.For(holder.Target.Cluster);
        JsonObject created;
        try
        {
            created = await session.CreateAsync(ProbePod.Render(name, options, specs), cancellationToken: ct).ConfigureAwait(false);
        }
        catch (KubeForbiddenException)
        {
            return new ClusterProbe(holder.Context, null, [], specs,
                $"This machine's identity may not create pods in {options.Namespace} of '{holder.Context}' (403).",
                $"Grant create, get and delete on pods and create on pods/exec in {options.Namespace} to this identity, or pass -SkipInClusterProbe.");
        }
        catch (MeshException ex)
        {
            return new ClusterProbe(holder.Context, null, [], specs, $"The probe pod could not be created in '{holder.Context}': {ex.Message}",
                ex.RecommendedAction ?? "Run the check again.");
        }

        sink.Verbose($"[{holder.Context}] Created probe pod {options.Namespace}/{name} ({specs.Count} call(s)).");
        try
        {
            if (await WaitRunningAsync(session, name, ClusterSnapshot.Text(created["metadata"]?["resourceVersion"]), options, ct).ConfigureAwait(false) is { } notRunning)
            {
                return new ClusterProbe(holder.Context, name, [], specs, notRunning.Problem, notRunning.Action);
            }

            return await ExecAsync(session, holder.Context, name, specs, options, ct).ConfigureAwait(false);
        }
        finally
        {
            if (!options.KeepWorkload)
            {
                try
                {
                    // Not awaited to completion: the pod has a zero grace period and goes away on its own.
                    await session.DeleteAsync("v1", "Pod", options.Namespace, name, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (MeshException ex)
                {
                    sink.Warning($"[{holder.Context}] The probe pod {options.Namespace}/{name} could not be deleted ({ex.Message}); it stops by itself after 15 minutes: kubectl -n {options.Namespace} delete pod {name}");
                }
            }
        }
    }

    /// <summary>
    /// Until the pod runs (null) or cannot (why, and the fix). A watch from the create's resourceVersion hears of the
    /// kubelet's status as soon as it is stored, in one request (docs/design/in-cluster-probes.md, "The cost"); polling
    /// every <see cref="ProbeOptions.PollInterval"/> takes over when the watch is refused (an identity that may get pods
    /// but not watch them), breaks off or ends without an answer, and decides the timeout.
    /// </summary>
    private static async Task<(string Problem, string Action)?> WaitRunningAsync(KubeSession session, string name, string? resourceVersion,
        ProbeOptions options, CancellationToken ct)
    {
        var until = DateTime.UtcNow + options.ReadyTimeout;
        if (!string.IsNullOrEmpty(resourceVersion))
        {
            try
            {
                var watched = await session.WatchObjectAsync("v1", "Pod", options.Namespace, name, resourceVersion,
                    pod => Judge(session, pod, options, timedOut: false) is not null, options.ReadyTimeout, ct).ConfigureAwait(false);
                if (watched.Deleted)
                {
                    return Disappeared(session, name, options);
                }

                if (watched.Met)
                {
                    return Judge(session, watched.Object!, options, timedOut: false)!.NotRunning;
                }
            }
            catch (MeshException)
            {
                // Not allowed to watch, or the stream broke off: the reads below decide.
            }
        }

        while (true)
        {
            var pod = await session.GetAsync("v1", "Pod", options.Namespace, name, ct).ConfigureAwait(false);
            if (pod is null)
            {
                return Disappeared(session, name, options);
            }

            if (Judge(session, pod, options, timedOut: DateTime.UtcNow >= until) is { } verdict)
            {
                return verdict.NotRunning;
            }

            await Task.Delay(options.PollInterval, ct).ConfigureAwait(false);
        }
    }

    private static (string Problem, string Action) Disappeared(KubeSession session, string name, ProbeOptions options) =>
        ($"The probe pod {name} disappeared in '{session.Context}' before it ran (an admission controller or a cleanup removed it).",
            $"Allow pods labelled app={ProbePod.AppLabel} in {options.Namespace}, or pass -SkipInClusterProbe.");

    /// <summary>The pod runs with every container ready (NotRunning null), or why it does not run and the fix.</summary>
    private sealed record Start((string Problem, string Action)? NotRunning)
    {
        public static readonly Start Running = new((ValueTuple<string, string>?)null);
    }

    /// <summary>What the pod's state says: null while it is still starting (and not <paramref name="timedOut"/>).</summary>
    private static Start? Judge(KubeSession session, JsonObject pod, ProbeOptions options, bool timedOut)
    {
        var mirror = $"Make {options.Image} pullable from the cluster (mirror it and pass -ProbeImage <registry>/<image>), or pass -SkipInClusterProbe.";
        var phase = ClusterSnapshot.Text(pod["status"]?["phase"]);
        var statuses = (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        if (phase == "Running" && statuses.Length > 0 && statuses.All(s => (bool?)s["ready"] == true))
        {
            return Start.Running;
        }

        if (statuses.Select(s => s["state"]?["waiting"]).OfType<JsonObject>().FirstOrDefault(w => Stuck.Contains(ClusterSnapshot.Text(w["reason"]) ?? "")) is { } waiting)
        {
            var reason = ClusterSnapshot.Text(waiting["reason"]);
            var message = MeshErrors.RedactUserInfo(ClusterSnapshot.Text(waiting["message"]) ?? "");
            return new Start(($"The probe pod in '{session.Context}' cannot start: {reason}{(message.Length > 0 ? ": " + message : "")}.",
                reason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull" ? mirror
                    : "Look at the pod's events (kubectl describe pod) and fix what keeps its container from starting, or pass -SkipInClusterProbe."));
        }

        if (phase is "Failed" or "Succeeded")
        {
            return new Start(($"The probe pod in '{session.Context}' ended ({phase}) before it ran: {ClusterSnapshot.Text(pod["status"]?["message"]) ?? ClusterSnapshot.Text(pod["status"]?["reason"]) ?? "no reason given"}.",
                "Look at the pod's events (kubectl describe pod), or pass -SkipInClusterProbe."));
        }

        if (timedOut)
        {
            var condition = (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(c => ClusterSnapshot.Text(c["status"]) == "False");
            var why = condition is null ? phase ?? "Pending" : $"{ClusterSnapshot.Text(condition["type"])}: {ClusterSnapshot.Text(condition["reason"])} {ClusterSnapshot.Text(condition["message"])}".Trim();
            return new Start(($"The probe pod in '{session.Context}' did not start within {options.ReadyTimeout.TotalSeconds:0} s ({why}).",
                $"Check that the cluster can schedule a pod in {options.Namespace} and pull {options.Image} (kubectl describe pod), or pass -SkipInClusterProbe."));
        }

        return null;
    }

    private static async Task<ClusterProbe> ExecAsync(KubeSession session, string context, string name, IReadOnlyList<ProbeSpec> specs,
        ProbeOptions options, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Every call runs at once inside the pod; a step takes at most StepTimeoutSeconds, and each call has two steps.
        timeout.CancelAfter(session.Timeout + TimeSpan.FromSeconds(2 * options.StepTimeoutSeconds));
        try
        {
            var (exit, stdout, stderr) = await session.ExecAsync(options.Namespace, name, ProbePod.Container,
                ProbeScript.Command(options.StepTimeoutSeconds).ToArray(), timeout.Token).ConfigureAwait(false);
            var lines = ProbeScript.Parse(stdout);
            if (exit != 0 || lines.Count == 0)
            {
                return new ClusterProbe(context, name, lines, specs,
                    $"The probe command exited {exit} in pod {name} of '{context}' without results: {MeshErrors.RedactUserInfo(First(stderr.Trim()))}",
                    $"The probe image must contain sh and curl 7.55 or later; pass -ProbeImage with such an image (default {ProbeOptions.DefaultImage}).");
            }

            return new ClusterProbe(context, name, lines, specs);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ClusterProbe(context, name, [], specs, $"exec into the probe pod {name} of '{context}' timed out.",
                "Check the API server's connection to the node's kubelet (port 10250), or raise -RequestTimeoutSec.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var (problem, action) = IstiodView.ExecFailure(context, name, ex);
            return new ClusterProbe(context, name, [], specs, problem, action.Replace("-SkipIstiodView", "-SkipInClusterProbe", StringComparison.Ordinal));
        }
    }

    private static string First(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
