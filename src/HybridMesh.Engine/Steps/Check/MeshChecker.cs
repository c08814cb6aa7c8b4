using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Test-MeshConnectivity's checks (runbook step 6): read every cluster once, then run the rule set (MeshRules, shared
/// with New-Mesh's pre-flight) on what was read.
/// Results come per cluster in a fixed order, then per ordered link. Nothing is written to any cluster.
/// </summary>
public static class MeshChecker
{
    public static async Task<IReadOnlyList<MeshCheck>> RunAsync(IReadOnlyList<MeshTarget> targets,
        MeshCheckOptions options, IMeshSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        var kube = options.Kube with { Sink = options.Kube.Sink ?? sink };
        // The snapshot's reads, istiod's view and the probes share one session per cluster (docs/design/in-cluster-probes.md, "The cost").
        using var sessions = new KubeSessionPool(kube);
        var snapshots = (await BoundedFanOut.RunAsync(targets, options.ThrottleLimit, sink, 61, "Reading clusters",
                t => t.Context, (t, ct) => ClusterSnapshot.ReadAsync(t, sessions, sink, ct), cancellationToken)
            .ConfigureAwait(false)).Select(s => s!).ToArray();
        var istiod = options.IstiodView
            ? IstiodSyncChecks.ReadAsync(snapshots, sessions, options.ThrottleLimit, sink, cancellationToken)
            : Task.FromResult<IReadOnlyList<IstiodView?>>([]);
        // In-cluster probes (docs/design/in-cluster-probes.md) run alongside, one pod per cluster, all at once.
        var probes = options.Probes is { } probeOptions
            ? Probe.ProbeChecks.RunAsync(snapshots, probeOptions, sessions, Math.Max(options.ThrottleLimit, snapshots.Length), sink, cancellationToken)
            : null;

        var fleetProject = targets.Select(t => t.FleetProjectId).FirstOrDefault(p => !string.IsNullOrEmpty(p));
        var (google, fleet, unavailable) = await FleetChecks.ConnectAsync(options.Google, fleetProject, sink, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var results = new List<MeshCheck>();
            foreach (var s in snapshots)
            {
                results.AddRange(MeshRules.Cluster(s, snapshots, options.AllowSharedNetwork));
                results.Add((await FleetChecks.EvaluateAsync(s, fleet, unavailable, cancellationToken).ConfigureAwait(false)).Verdict.Check);
            }

            if (options.ReaderTokenMaxAge is { } maxAge)
            {
                results.AddRange(await ReaderTokenAgeChecks.RunAsync(snapshots, maxAge, options.Clock.GetUtcNow(), kube,
                    options.ThrottleLimit, sink, cancellationToken).ConfigureAwait(false));
            }

            // One credential proof per distinct remote-secret kubeconfig, shared by every link that holds it.
            var proofs = new CredentialProofs();
            var pairs = snapshots.SelectMany(holder => snapshots.Where(peer => !ReferenceEquals(peer, holder))
                .Select(peer => (holder, peer))).ToArray();
            var linkResults = await BoundedFanOut.RunAsync(pairs, options.ThrottleLimit, sink, 62, "Checking links",
                pair => $"{pair.holder.Context} -> {pair.peer.Context}",
                (pair, ct) => RemoteSecretChecks.RunAsync(pair.holder, pair.peer, snapshots, kube, ct, proofs), cancellationToken).ConfigureAwait(false);
            foreach (var link in linkResults)
            {
                results.AddRange(link ?? []);
            }

            if (options.IstiodView)
            {
                results.AddRange(IstiodSyncChecks.Run(snapshots, await istiod.ConfigureAwait(false)));
            }

            if (probes is not null)
            {
                results.AddRange(Probe.ProbeChecks.Run(snapshots, await probes.ConfigureAwait(false)));
                return Probe.ProbeChecks.Reconcile(results);
            }

            return results;
        }
        finally
        {
            google?.Dispose();
            // The shared sessions must outlive every request sent through them (a probe pod's delete included), also
            // when this run stops early; their results or failures no longer matter then.
            await Task.WhenAny(Task.WhenAll(istiod, probes ?? Task.CompletedTask)).ConfigureAwait(false);
        }
    }

    /// <summary>"12 checks: 10 passed, 1 warning, 1 failed, 0 skipped."</summary>
    public static string Summary(IReadOnlyList<MeshCheck> checks) =>
        $"{checks.Count} checks: {Count(checks, MeshCheckStatus.Passed)} passed, {Count(checks, MeshCheckStatus.Warning)} warning(s), " +
        $"{Count(checks, MeshCheckStatus.Failed)} failed, {Count(checks, MeshCheckStatus.Skipped)} skipped.";

    /// <summary>True when nothing failed and nothing was skipped because of a failure.</summary>
    public static bool AllPassed(IReadOnlyList<MeshCheck> checks) =>
        checks.All(c => c.Status is MeshCheckStatus.Passed or MeshCheckStatus.Warning ||
                        (c.Status == MeshCheckStatus.Skipped && c.Check == CheckNames.FleetMembership));

    private static int Count(IReadOnlyList<MeshCheck> checks, MeshCheckStatus status) => checks.Count(c => c.Status == status);
}
