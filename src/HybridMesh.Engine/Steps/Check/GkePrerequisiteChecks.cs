using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The seed's GKE prerequisites (docs/design/prerequisites.md): every GKE cluster on one VPC network (compared by
/// networkConfig.network, so a Shared VPC host project counts), and no private control plane unless the other
/// clusters are given an address they reach.
/// </summary>
internal static class GkePrerequisiteChecks
{
    public static MeshCheck Network(PrerequisiteFacts f, IReadOnlyList<PrerequisiteFacts> all)
    {
        const string check = PrerequisiteCheckNames.GkeNetwork;
        if (!f.Snapshot.IsGke)
        {
            return Result.Skip(check, f.Context, "Not a GKE cluster: only GKE clusters must share one VPC (NetworkLabel checks its network id).");
        }

        if (f.Gke is not { } gke)
        {
            return Result.Skip(check, f.Context, $"GKE was not read: {f.GkeUnavailable}");
        }

        var others = all.Where(o => !ReferenceEquals(o, f) && o.Gke is not null).ToArray();
        var elsewhere = others.Where(o => !string.Equals(o.Gke!.Vpc, gke.Vpc, StringComparison.Ordinal)).ToArray();
        var host = HostProject(gke.Vpc);
        var shared = host is not null && host != gke.Project ? $" (Shared VPC, host project '{host}')" : "";
        if (elsewhere.Length > 0)
        {
            return Result.Fail(check, f.Context,
                $"VPC {gke.Vpc}{shared}, but {string.Join("; ", elsewhere.Select(o => $"{o.Context} is on {o.Gke!.Vpc}"))}. " +
                "A hybrid mesh needs all GKE clusters on one VPC network.",
                "Run the GKE clusters on one VPC: in one project, or as service projects of one Shared VPC host project " +
                "(a cluster's network is fixed when it is created, so move workloads to a cluster created on that network).");
        }

        return Result.Pass(check, f.Context,
            $"VPC {gke.Vpc}{shared}" + (others.Length == 0 ? "; no other GKE cluster given." : $", as {string.Join(", ", others.Select(o => o.Context))}."));
    }

    public static MeshCheck PrivateCluster(PrerequisiteFacts f)
    {
        const string check = PrerequisiteCheckNames.PrivateCluster;
        if (!f.Snapshot.IsGke)
        {
            return Result.Skip(check, f.Context, "Not a GKE cluster (reachability of its API server is the ApiServer check).");
        }

        if (f.Gke is not { } gke)
        {
            return Result.Skip(check, f.Context, $"GKE was not read: {f.GkeUnavailable}");
        }

        if (gke.IsPrivateCluster)
        {
            var what = gke.IsDnsOnlyControlPlane
                ? "The control plane has no IP endpoint (DNS endpoint only)"
                : "The control plane has a private endpoint only (no public IP endpoint)";
            if (f.ServerOverride is { } address && f.OverrideUnreachable is null)
            {
                return Result.Pass(check, f.Context,
                    $"{what}; -ServerOverride {MeshErrors.RedactUserInfo(address.ToString())} answers from this machine and is the address " +
                    "New-Mesh must be given for it (the other clusters' istiods must reach it too).");
            }

            var tried = f.ServerOverride is { } bad
                ? $" -ServerOverride {MeshErrors.RedactUserInfo(bad.ToString())} did not answer from this machine: {f.OverrideUnreachable}"
                : "";
            return Result.Fail(check, f.Context,
                $"{what}: the hybrid mesh does not support private clusters, since istiod in the other clusters cannot reach this API server.{tried}",
                "Enable the cluster's public endpoint (with authorized networks covering the other clusters' egress addresses), " +
                $"or pass -ServerOverride @{{ '{f.Context}' = 'https://<address the other clusters reach>' }} here and to New-Mesh.");
        }

        if (gke.PrivateNodes)
        {
            return Result.Warn(check, f.Context,
                $"Public control-plane endpoint {gke.Endpoint}; the nodes are private (no external addresses), so pods reach " +
                "on-prem API servers and east-west gateways only through Cloud NAT, Cloud VPN or Interconnect.",
                "Make the on-prem API servers and gateways routable from the VPC (Cloud VPN is recommended), or add Cloud NAT.");
        }

        return Result.Pass(check, f.Context, $"Public control-plane endpoint {gke.Endpoint}; nodes are not private.");
    }

    /// <summary>P of projects/P/global/networks/N.</summary>
    private static string? HostProject(string vpc)
    {
        var parts = vpc.Split('/');
        return parts.Length >= 2 && parts[0] == "projects" ? parts[1] : null;
    }
}
