using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The one rule set (docs/design/rules.md). Test-MeshConnectivity reports every rule as a check; New-Mesh's pre-flight
/// runs the rules that make linking unsafe on the same snapshots and stops with the error a failed rule carries.
/// </summary>
internal static class MeshRules
{
    /// <summary>The checks of one cluster that need no further request, in report order (FleetMembership follows).</summary>
    public static IEnumerable<MeshCheck> Cluster(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all, bool allowSharedNetwork)
    {
        yield return ClusterChecks.ApiServer(s);
        yield return ClusterChecks.IstioRevision(s, all).Check;
        yield return ClusterChecks.NetworkLabel(s, all, allowSharedNetwork).Check;
        yield return ClusterChecks.EastWestGateway(s);
        yield return ClusterChecks.CrossNetworkGateway(s);
        yield return RootChecks.SharedRoot(s, all).Check;
        foreach (var check in CaCertsChecks.Run(s))
        {
            yield return check;
        }
    }

    /// <summary>
    /// The pre-flight: every rule New-Mesh depends on, each evaluated separately (so a missing label and a shared
    /// network are both reported). Gateways are not a precondition of linking and are left to Test-MeshConnectivity.
    /// Without -RemoveStale a second remote secret for a cluster is a failure; with it, New-Mesh deletes it.
    /// </summary>
    public static IEnumerable<RuleVerdict> Preflight(IReadOnlyList<ClusterSnapshot> all, bool allowSharedNetwork, bool removeStale,
        Func<ClusterSnapshot, IReadOnlyCollection<string>> serversOf)
    {
        var readable = all.Where(s => s.Reachable).ToArray();
        foreach (var s in readable)
        {
            yield return ClusterChecks.IstioRevision(s, all);
            yield return ClusterChecks.NetworkLabelSet(s);
            yield return ClusterChecks.NetworkDistinct(s, all, allowSharedNetwork);
            yield return RootChecks.CaCertsLoaded(s);
            yield return RootChecks.ServedRootShared(s, all);
        }

        if (removeStale)
        {
            yield break;
        }

        foreach (var holder in readable)
        {
            foreach (var peer in readable.Where(p => !ReferenceEquals(p, holder) && p.Details?.IstioClusterName is { Length: > 0 }))
            {
                foreach (var verdict in RemoteSecretChecks.Stale(holder, peer, all, serversOf(peer),
                             RemoteSecretRenderer.SecretName(peer.Details!.IstioClusterName!)))
                {
                    yield return verdict;
                }
            }
        }
    }

    /// <summary>One error per distinct failure (a rule about several clusters fails on each of them).</summary>
    public static IReadOnlyList<MeshException> Errors(IEnumerable<RuleVerdict> verdicts) =>
        verdicts.Select(v => v.Error).OfType<MeshException>()
            .DistinctBy(e => (e.ErrorId, e.Target?.ToString(), e.Message)).ToArray();
}
