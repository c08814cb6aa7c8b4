using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// The reads and checks before anything is written: Istio facts per cluster (concurrently), then the rules that
/// make endpoint discovery safe — Istio installed, distinct Istio cluster names, distinct networks, one shared root.
/// asmcli create-mesh checks none of these (spec §C.2).
/// </summary>
internal static class MeshPreflight
{
    public const string HubApiVersion = "hub.gke.io/v1";

    /// <summary>Opens a session per cluster and reads its facts. Unreachable clusters are marked, not reported.</summary>
    public static async Task<IReadOnlyList<MeshMember>> ReadAsync(MeshRequest request, IMeshSink sink, bool readHub,
        CancellationToken cancellationToken)
    {
        var members = request.Targets.Select(t => new MeshMember(t)).ToArray();
        var options = request.Kube with { Sink = request.Kube.Sink ?? sink };
        await PerCluster.RunAsync(members, request.ThrottleLimit, sink, 1, "Reading clusters", m => m.Context,
            async (member, ct) =>
            {
                try
                {
                    member.Session = KubeSession.Open(member.Target.Cluster, options);
                    // Independent reads go out together: with API latency, a cluster costs one round of them, not their sum.
                    var details = ClusterInspector.InspectAsync(member.Session, sink, ct);
                    var secrets = member.Session.ListAsync("v1", "Secret", ClusterInspector.IstioNamespace,
                        RemoteSecretRenderer.MultiClusterLabel + "=true", ct);
                    var hub = readHub ? ReadHubMembershipAsync(member.Session, ct) : Task.FromResult<JsonObject?>(null);
                    await Task.WhenAll(details, secrets, hub).ConfigureAwait(false);
                    member.Details = await details.ConfigureAwait(false);
                    member.RemoteSecrets = await secrets.ConfigureAwait(false);
                    member.HubMembership = await hub.ConfigureAwait(false);
                }
                catch (KubeUnreachableException error)
                {
                    sink.Warning($"Context '{member.Context}' is unreachable; links to and from it are skipped: {error.Message}");
                    member.Unreachable = error;
                }
                catch (MeshException error)
                {
                    // Rejected credentials, missing permissions, a broken kubeconfig: a failed check, not a skipped cluster.
                    member.ReadFailure = error;
                }

                return member;
            }, cancellationToken).ConfigureAwait(false);
        return members;
    }

    /// <summary>The cluster-scoped hub.gke.io Membership "membership", or null (also when the CRD is not installed).</summary>
    private static async Task<JsonObject?> ReadHubMembershipAsync(KubeSession session, CancellationToken ct)
    {
        var versions = await session.ServedVersionsAsync("hub.gke.io", ct).ConfigureAwait(false);
        if (!versions.Contains("v1"))
        {
            return null;
        }

        return await session.GetAsync(HubApiVersion, "Membership", null, "membership", ct).ConfigureAwait(false);
    }

    /// <summary>Every rule violated, one error each (empty: the clusters may be meshed).</summary>
    public static IReadOnlyList<MeshException> Check(IReadOnlyList<MeshMember> all, bool allowSharedNetwork, IMeshSink sink)
    {
        var failures = all.Select(m => m.ReadFailure).OfType<MeshException>().ToList();
        var members = all.Where(m => m.Unreachable is null && m.Details is not null).ToArray();
        foreach (var member in members)
        {
            if (member.Details!.IstioRevisions.Length == 0)
            {
                failures.Add(MeshErrors.MeshIstioNotInstalled(member.Context));
            }
            else if (string.IsNullOrEmpty(member.Details.IstioClusterName))
            {
                failures.Add(MeshErrors.MeshClusterNameMissing(member.Context));
            }
        }

        foreach (var group in members.Where(m => !string.IsNullOrEmpty(m.Details!.IstioClusterName))
                     .GroupBy(m => m.ClusterName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add(MeshErrors.MeshClusterNameDuplicate(group.Key, group.Select(m => m.Context)));
        }

        foreach (var member in members.Where(m => m.NetworkLabel is null))
        {
            sink.Warning(member.Target.Network is { } network
                ? $"Namespace istio-system of context '{member.Context}' has no topology.istio.io/network label; " +
                  $"assuming network '{network}' from the input. Label it so istiod knows it too."
                : $"Namespace istio-system of context '{member.Context}' has no topology.istio.io/network label and " +
                  "the input names no network.");
        }

        if (!allowSharedNetwork)
        {
            foreach (var group in members.Where(m => m.Network is not null)
                         .GroupBy(m => m.Network!, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                failures.Add(MeshErrors.MeshNetworkShared(group.Key, group.Select(m => m.Context)));
            }
        }

        failures.AddRange(CheckRoots(members));
        return failures;
    }

    /// <summary>One root (SHA-256 of DER) must be trusted by every cluster; several roots per cluster occur during rotation.</summary>
    private static IEnumerable<MeshException> CheckRoots(IReadOnlyList<MeshMember> members)
    {
        var withRoots = new List<MeshMember>();
        foreach (var member in members)
        {
            if (member.Details!.RootCertificateFingerprints.Length == 0)
            {
                if (member.Details.IstioRevisions.Length > 0)
                {
                    yield return MeshErrors.MeshRootMissing(member.Context);
                }
            }
            else
            {
                withRoots.Add(member);
            }
        }

        if (withRoots.Count < 2)
        {
            yield break;
        }

        var common = new HashSet<string>(withRoots[0].Details!.RootCertificateFingerprints, StringComparer.Ordinal);
        foreach (var member in withRoots.Skip(1))
        {
            common.IntersectWith(member.Details!.RootCertificateFingerprints);
        }

        if (common.Count == 0)
        {
            yield return MeshErrors.MeshRootMismatch(withRoots.ToDictionary(m => m.Context,
                m => m.Details!.RootCertificateFingerprints, StringComparer.Ordinal));
        }
    }
}
