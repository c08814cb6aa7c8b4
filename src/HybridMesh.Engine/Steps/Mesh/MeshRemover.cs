using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>What Remove-Mesh was asked to do.</summary>
public sealed class MeshRemovalRequest
{
    public required IReadOnlyList<MeshTarget> Targets { get; init; }

    /// <summary>Contexts leaving the mesh; empty: every target (the whole mesh is taken apart).</summary>
    public IReadOnlyList<string> Leaving { get; init; } = [];

    /// <summary>Also delete the reader token Secrets of the leaving clusters (revokes every copy of their token).</summary>
    public bool IncludeReaderToken { get; init; }

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;
    public KubeSessionOptions Kube { get; init; } = new();
}

/// <summary>
/// Remove-Mesh: deletes remote secrets (label istio/multiCluster=true in istio-system). For a leaving cluster, all its
/// remote secrets and, in every other cluster, every remote secret that serves it whatever its name — by key or
/// annotation, server or CA (the stale-secret rule, docs/design/rules.md) — so asmcli's context-named secrets go too.
/// asmcli never deletes any, which leaves istiod reading clusters that left (docs/design/remote-secrets.md).
/// </summary>
public static class MeshRemover
{
    private const string Ns = IstioNames.SystemNamespace;

    /// <summary>Returns how many objects were deleted.</summary>
    public static async Task<int> RemoveAsync(MeshRemovalRequest request, IMeshSink sink, CancellationToken ct) =>
        (await RemoveObjectsAsync(request, sink, ct).ConfigureAwait(false)).Count(o => o.Outcome == ObjectOutcome.Deleted);

    /// <summary>
    /// Every Secret the run meant to delete with what became of it (Deleted, Skipped when declined or -WhatIf,
    /// NotFound when it was gone already): Remove-Mesh -PassThru, like Uninstall-EastWestGateway's.
    /// </summary>
    public static async Task<IReadOnlyList<AppliedObject>> RemoveObjectsAsync(MeshRemovalRequest request, IMeshSink sink, CancellationToken ct)
    {
        var options = request.Kube with { Sink = request.Kube.Sink ?? sink };
        var leavingAll = request.Leaving.Count == 0;

        var read = await BoundedFanOut.RunAsync(request.Targets, request.ThrottleLimit, sink, 1, "Reading clusters", t => t.Context,
            async (target, token) =>
            {
                var snapshot = await ClusterSnapshot.ReadAsync(target, options, sink, token).ConfigureAwait(false);
                return snapshot.Error is { } error ? throw error : snapshot;
            }, ct).ConfigureAwait(false);
        var snapshots = read.OfType<ClusterSnapshot>().ToArray();

        // -Leaving names a cluster by context, Istio cluster name or short name; an unknown one stops the run before
        // any delete (docs/design/cluster-names.md).
        var resolver = new ClusterNameResolver(request.Targets.Select((t, i) =>
            new ClusterNames(t.Context, (read[i] as ClusterSnapshot)?.Details?.IstioClusterName ?? "", t.Cluster.Name)));
        var leaving = new HashSet<string>(leavingAll
            ? request.Targets.Select(t => t.Context)
            : resolver.ResolveAll("-Leaving", request.Leaving).Select(i => request.Targets[i].Context), StringComparer.Ordinal);
        var leavingSnapshots = snapshots.Where(s => leaving.Contains(s.Context)).ToArray();
        var leavingNames = new HashSet<string>(leavingSnapshots.Select(s => s.Details?.IstioClusterName).OfType<string>(), StringComparer.Ordinal);

        // Per cluster, the secrets serving a leaving cluster (all of them in a leaving cluster); their tokens are what
        // is left of the leaving cluster's reader.
        var doomed = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var leftTokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var holder in snapshots)
        {
            var serving = holder.RemoteKubeconfigs
                .Where(k => leavingSnapshots.Any(l => !ReferenceEquals(l, holder) && RemoteSecretChecks.Serves(k, l, snapshots, [l.Target.Cluster.Server])))
                .ToArray();
            foreach (var token in serving.Select(k => k.Token).OfType<string>())
            {
                leftTokens.Add(ClusterSnapshot.Hash(token));
            }

            doomed[holder.Context] = leaving.Contains(holder.Context)
                ? holder.RemoteSecrets.Select(r => r.Name).ToArray()
                : serving.Select(k => k.SecretName)
                    .Concat(holder.RemoteSecrets.Where(r => RemoteSecrets.ClusterNames(r).Any(leavingNames.Contains)).Select(r => r.Name))
                    .Distinct(StringComparer.Ordinal).ToArray();
        }

        var removed = new System.Collections.Concurrent.ConcurrentQueue<AppliedObject>();
        await BoundedFanOut.RunAsync(snapshots, request.ThrottleLimit, sink, 2, "Removing remote secrets", s => s.Context,
            async (snapshot, token) =>
            {
                var target = snapshot.Target;
                using var session = KubeSession.Open(target.Cluster, options);
                var all = leaving.Contains(target.Context);
                foreach (var name in doomed[target.Context])
                {
                    removed.Enqueue(await DeleteAsync(session, name, "remote secret", target, sink, token).ConfigureAwait(false));
                }

                if (all && request.IncludeReaderToken)
                {
                    var tokens = await session.ListAsync("v1", "Secret", Ns, cancellationToken: token).ConfigureAwait(false);
                    var readers = tokens.Where(ReaderIdentity.IsReaderToken).Select(ManifestObjects.Name)
                        .Concat((snapshot.TokenSecretsByHash ?? new Dictionary<string, string>())
                            .Where(p => leftTokens.Contains(p.Key)).Select(p => p.Value))
                        .Distinct(StringComparer.Ordinal);
                    foreach (var name in readers)
                    {
                        removed.Enqueue(await DeleteAsync(session, name, "reader token", target, sink, token).ConfigureAwait(false));
                    }
                }

                return target;
            }, ct).ConfigureAwait(false);
        // Cluster order, then name: the same run lists the same way every time.
        var order = request.Targets.Select(t => t.Context).ToList();
        return removed.OrderBy(o => order.IndexOf(o.Context)).ThenBy(o => o.Name, StringComparer.Ordinal).ToArray();
    }

    private static async Task<AppliedObject> DeleteAsync(KubeSession session, string name, string what, MeshTarget target, IMeshSink sink,
        CancellationToken ct)
    {
        if (!sink.ShouldProcess($"Secret {Ns}/{name} in context '{target.Context}'", $"Delete {what}"))
        {
            return new AppliedObject("Secret", Ns, name, ObjectOutcome.Skipped, target.Context);
        }

        if (!await session.DeleteAsync("v1", "Secret", Ns, name, cancellationToken: ct).ConfigureAwait(false))
        {
            return new AppliedObject("Secret", Ns, name, ObjectOutcome.NotFound, target.Context);
        }

        sink.Verbose($"[{target.Context}] Deleted {what} {Ns}/{name}.");
        return new AppliedObject("Secret", Ns, name, ObjectOutcome.Deleted, target.Context);
    }
}
