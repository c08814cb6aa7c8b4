using HybridMesh.Engine.Google;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// Fleet membership (spec §C.3, §F.2) without gcloud: the cluster's hub.gke.io Membership names its fleet
/// membership (spec.owner.id), which GKE Hub must know in the fleet project and report READY. A GKE cluster without
/// one is registered with memberships.create (the body gcloud sends for --gke-uri --enable-workload-identity) and
/// the operation is polled; an on-prem cluster needs the Connect agent, so it is an error naming the command.
/// </summary>
internal static class MeshFleetCheck
{
    /// <summary>Checks (and registers) one cluster; returns the failure, or null when it is a READY member.</summary>
    public static async Task<MeshException?> CheckAsync(MeshMember member, IFleet fleet, IGkeClusters clusters,
        IProjectDirectory projects, string fleetProject,
        long? fleetNumber, MeshRequest request, IMeshSink sink, CancellationToken ct)
    {
        try
        {
            var ownerId = member.HubMembership?["spec"]?["owner"]?["id"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(ownerId))
            {
                return await VerifyOwnerAsync(member, fleet, fleetProject, fleetNumber, ownerId, sink, ct).ConfigureAwait(false);
            }

            var cluster = member.Target.Cluster;
            if (cluster.Platform != ClusterPlatform.Gke || cluster.GkeProject is null || cluster.GkeLocation is null ||
                cluster.GkeCluster is null)
            {
                return MeshErrors.MeshOnPremNotRegistered(member.Context, fleetProject,
                    cluster.Kubeconfig.FirstOrDefault() ?? "~/.kube/config");
            }

            // GKE registration does not always leave the in-cluster object; GKE (the cluster's fleet.membership)
            // and GKE Hub are the authority, so look there (Google/GkeFleetRegistration.cs).
            var gke = await clusters.GetClusterAsync(cluster.GkeProject, cluster.GkeLocation, cluster.GkeCluster, ct)
                .ConfigureAwait(false);
            var registration = new GkeFleetRegistration(fleet, projects, fleetProject, fleetNumber, sink);
            var existing = await registration.FindAsync(member.Context, gke, ct).ConfigureAwait(false);
            if (existing is not null)
            {
                sink.Verbose($"[{member.Context}] Fleet member {existing.Name} ({existing.State}).");
                return existing.IsReady ? null : MeshErrors.MeshMembershipNotReady(member.Context, existing.Name, existing.State);
            }

            if (request.SkipRegistration)
            {
                return MeshErrors.MeshGkeNotRegistered(member.Context, fleetProject);
            }

            return await registration.RegisterAsync(member.Context, gke, request.RegistrationTimeout, ct).ConfigureAwait(false);
        }
        catch (MeshException error)
        {
            return error;
        }
    }

    private static async Task<MeshException?> VerifyOwnerAsync(MeshMember member, IFleet fleet, string fleetProject,
        long? fleetNumber, string ownerId, IMeshSink sink, CancellationToken ct)
    {
        // //gkehub.googleapis.com/projects/<P>/locations/<L>/memberships/<ID>
        var parts = ownerId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var project = Segment(parts, "projects");
        var location = Segment(parts, "locations");
        var id = Segment(parts, "memberships");
        var sameFleet = project == fleetProject ||
                        (fleetNumber is { } number && project == number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (project is null || location is null || id is null || !sameFleet)
        {
            return MeshErrors.MeshMembershipOtherFleet(member.Context, ownerId, fleetProject);
        }

        FleetMembership membership;
        try
        {
            membership = await fleet.GetMembershipAsync(fleetProject, location, id, ct).ConfigureAwait(false);
        }
        catch (MeshException error) when (error.ErrorId == "MembershipNotFound")
        {
            return MeshErrors.MeshMembershipMissing(member.Context, ownerId);
        }

        sink.Verbose($"[{member.Context}] Fleet member {membership.Name} ({membership.State}).");
        return membership.IsReady ? null : MeshErrors.MeshMembershipNotReady(member.Context, membership.Name, membership.State);
    }

    /// <summary>us-central1-a → us-central1 (gcloud registers zonal clusters in their region); regions stay.</summary>
    internal static string RegionOf(string location) => FleetMembershipNames.RegionOf(location);

    private static string? Segment(string[] parts, string key)
    {
        var index = Array.IndexOf(parts, key);
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : null;
    }
}
