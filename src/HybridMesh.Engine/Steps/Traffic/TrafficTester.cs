using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Traffic;

/// <summary>
/// Test-MeshConnectivity -Traffic: Istio's verification procedure (docs/design/verification.md), automated. Cluster i (in input order)
/// gets helloworld-v&lt;i&gt;; every cluster gets Service helloworld and a sleep client. Once ready, every client
/// calls helloworld K times; a client passes when every version answered it. The workload is removed afterwards
/// (namespace too, when this run created it) unless KeepWorkload.
/// </summary>
public static class TrafficTester
{
    public static async Task<IReadOnlyList<MeshTrafficResult>> RunAsync(IReadOnlyList<MeshTarget> targets,
        TrafficOptions options, IMeshSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        var kube = options.Kube with { Sink = options.Kube.Sink ?? sink };
        var versions = Enumerable.Range(1, targets.Count).Select(TrafficWorkload.Version).ToArray();
        var indexed = targets.Select((t, i) => (Target: t, Index: i + 1)).ToArray();
        var deployed = await BoundedFanOut.RunAsync(indexed, options.ThrottleLimit, sink, 63, "Deploying the verification workload",
            x => x.Target.Context, (x, ct) => DeployAsync(x.Target, x.Index, options, kube, sink, ct), cancellationToken).ConfigureAwait(false);
        try
        {
            var ready = await BoundedFanOut.RunAsync(indexed, options.ThrottleLimit, sink, 64, "Waiting for the workload",
                x => x.Target.Context, (x, ct) => deployed[x.Index - 1] is null
                    ? Task.FromResult<string>(null!)
                    : WaitReadyAsync(x.Target, options, kube, sink, ct), cancellationToken).ConfigureAwait(false);
            var results = await BoundedFanOut.RunAsync(indexed, options.ThrottleLimit, sink, 65, "Calling helloworld",
                x => x.Target.Context, async (x, ct) =>
                {
                    if (ready[x.Index - 1] is not { } pod)
                    {
                        return null!;
                    }

                    using var session = KubeSession.Open(x.Target.Cluster, kube);
                    var responses = new List<string>();
                    string? execAction = null;
                    for (var i = 0; i < options.Requests; i++)
                    {
                        var (text, action) = await TrafficProbe.CurlOnceAsync(session, options.Namespace, pod, ct).ConfigureAwait(false);
                        responses.Add(text);
                        execAction ??= action;
                    }

                    var result = TrafficProbe.Tally(x.Target.Context, versions, responses, execAction);
                    sink.Verbose($"[{x.Target.Context}] reached {string.Join(", ", result.Reached)}; missing {string.Join(", ", result.Missing)}.");
                    return result;
                }, cancellationToken).ConfigureAwait(false);
            return results.OfType<MeshTrafficResult>().ToArray();
        }
        finally
        {
            if (!options.KeepWorkload)
            {
                await BoundedFanOut.RunAsync(indexed, options.ThrottleLimit, sink, 66, "Removing the verification workload",
                    x => x.Target.Context, async (x, _) =>
                    {
                        if (deployed[x.Index - 1] is { } createdNamespace)
                        {
                            await RemoveAsync(x.Target, x.Index, options, createdNamespace.Value, kube, CancellationToken.None).ConfigureAwait(false);
                        }

                        return "";
                    }, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Applies the workload; returns whether the namespace was created by this run (boxed so that null means "not deployed").</summary>
    private static async Task<StrongBox<bool>> DeployAsync(MeshTarget target, int index, TrafficOptions options,
        KubeSessionOptions kube, IMeshSink sink, CancellationToken ct)
    {
        using var session = KubeSession.Open(target.Cluster, kube);
        var existed = await session.GetAsync("v1", "Namespace", null, options.Namespace, ct).ConfigureAwait(false) is not null;
        var revision = target.Revision;
        if (string.IsNullOrEmpty(revision))
        {
            var istiods = await session.ListAsync("apps/v1", "Deployment", IstioNames.SystemNamespace, "app=istiod", ct).ConfigureAwait(false);
            revision = istiods.Select(ClusterInspector.Revision).Order(StringComparer.Ordinal).FirstOrDefault();
        }

        foreach (var obj in TrafficWorkload.Render(options, index, revision))
        {
            await session.ApplyAsync(obj, force: true, cancellationToken: ct).ConfigureAwait(false);
        }

        sink.Verbose($"[{target.Context}] Deployed {TrafficWorkload.Service}-{TrafficWorkload.Version(index)} and the {TrafficWorkload.Client} client in namespace {options.Namespace} (revision {revision ?? "none"}).");
        return new StrongBox<bool>(!existed);
    }

    private static async Task<string> WaitReadyAsync(MeshTarget target, TrafficOptions options, KubeSessionOptions kube,
        IMeshSink sink, CancellationToken ct)
    {
        using var session = KubeSession.Open(target.Cluster, kube);
        var until = DateTime.UtcNow + options.ReadyTimeout;
        while (true)
        {
            var pods = await session.ListAsync("v1", "Pod", options.Namespace, "app=" + TrafficWorkload.Client, ct).ConfigureAwait(false);
            var servers = await session.ListAsync("v1", "Pod", options.Namespace, "app=" + TrafficWorkload.Service, ct).ConfigureAwait(false);
            if (TrafficProbe.ReadyPod(pods) is { } pod && TrafficProbe.ReadyPod(servers) is not null)
            {
                return pod;
            }

            if (DateTime.UtcNow >= until)
            {
                throw MeshErrors.TrafficWorkloadNotReady(target.Context, options.Namespace, options.ReadyTimeout);
            }

            await Task.Delay(options.PollInterval, ct).ConfigureAwait(false);
        }
    }

    private static async Task RemoveAsync(MeshTarget target, int index, TrafficOptions options, bool deleteNamespace,
        KubeSessionOptions kube, CancellationToken ct)
    {
        using var session = KubeSession.Open(target.Cluster, kube);
        if (deleteNamespace)
        {
            await session.DeleteAsync("v1", "Namespace", null, options.Namespace, cancellationToken: ct).ConfigureAwait(false);
            return;
        }

        // The namespace was there before: remove only what this run applied.
        foreach (var obj in TrafficWorkload.Render(options, index, null).Skip(1).Reverse())
        {
            var meta = obj["metadata"]!;
            await session.DeleteAsync((string)obj["apiVersion"]!, (string)obj["kind"]!, options.Namespace, (string)meta["name"]!,
                cancellationToken: ct).ConfigureAwait(false);
        }
    }
}
