using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// The reads and checks before anything is written: one snapshot per cluster (read concurrently, the same reader
/// Test-MeshConnectivity uses), then the shared rule set (docs/design/rules.md) — any rule that fails with an error
/// stops the run. asmcli create-mesh checks none of these (docs/design/remote-secrets.md).
/// </summary>
internal static class MeshPreflight
{
    /// <summary>Opens a session per cluster and reads its snapshot. Unreachable clusters are marked, not reported.</summary>
    public static async Task<IReadOnlyList<MeshMember>> ReadAsync(MeshRequest request, IMeshSink sink, CancellationToken cancellationToken)
    {
        var members = request.Targets.Select(t => new MeshMember(t)).ToArray();
        var options = request.Kube with { Sink = request.Kube.Sink ?? sink };
        await BoundedFanOut.RunAsync(members, request.ThrottleLimit, sink, 1, "Reading clusters", m => m.Context,
            async (member, ct) =>
            {
                try
                {
                    member.Session = KubeSession.Open(member.Target.Cluster, options);
                    var warm = WarmDiscoveryAsync(member.Session, ct);
                    member.Snapshot = await ClusterSnapshot.ReadAsync(member.Target, member.Session, sink, ct).ConfigureAwait(false);
                    await warm.ConfigureAwait(false);
                }
                catch (MeshException error)
                {
                    member.Snapshot = new ClusterSnapshot { Target = member.Target, Error = error };
                }

                if (member.Unreachable is { } unreachable)
                {
                    sink.Warning($"Context '{member.Context}' is unreachable; links to and from it are skipped: {unreachable.Message}");
                }

                return member;
            }, cancellationToken).ConfigureAwait(false);
        return members;
    }

    /// <summary>
    /// The discovery documents this run will need, asked with the snapshot's first reads instead of one round trip
    /// later each: the snapshot's Gateway list and hub Membership wait for /apis before asking for their group's
    /// resources, and the reader identity's ClusterRole reads waited for the RBAC group's (docs/design/scale.md,
    /// "20 clusters"). The session keeps what was found; a failure is forgotten there and met again by the read
    /// that needs the document, which reports it.
    /// </summary>
    private static async Task WarmDiscoveryAsync(KubeSession session, CancellationToken ct)
    {
        (string ApiVersion, string Kind)[] wanted =
        [
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ($"{Manifests.CrossNetworkGatewayRenderer.ApiGroup}/{Manifests.CrossNetworkGatewayRenderer.PreferredVersions[0]}", "Gateway"),
            ("hub.gke.io/v1", "Membership"),
        ];
        foreach (var task in wanted.Select(w => session.ResolveAsync(w.ApiVersion, w.Kind, ct)).ToArray())
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (MeshException)
            {
                // Not served, or the server failed: the read that needs it finds out and says so.
            }
        }
    }

    /// <summary>
    /// Every rule violated, one error each (empty: the clusters may be meshed). A failed rule without an error (a
    /// missing network label when the input names the network, a cluster without Istio having no root) is a warning.
    /// </summary>
    public static IReadOnlyList<MeshException> Check(IReadOnlyList<MeshMember> all, MeshRequest request, IMeshSink sink)
    {
        var failures = all.Select(m => m.ReadFailure).OfType<MeshException>().ToList();
        var snapshots = all.Select(m => m.Snapshot!).ToArray();
        var byContext = all.ToDictionary(m => m.Context, StringComparer.Ordinal);
        var verdicts = MeshRules.Preflight(snapshots, request.AllowSharedNetwork, request.RemoveStale,
            s => MeshCreator.ServersOf(byContext[s.Context], request)).ToArray();
        foreach (var verdict in verdicts.Where(v => v.Error is null && v.Check.Status is MeshCheckStatus.Failed or MeshCheckStatus.Warning))
        {
            sink.Warning($"[{verdict.Check.Cluster}] {verdict.Check.Detail} {verdict.Check.RecommendedAction}");
        }

        failures.AddRange(MeshRules.Errors(verdicts));
        return failures;
    }
}
