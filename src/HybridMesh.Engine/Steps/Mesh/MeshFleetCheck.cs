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
    public static async Task<MeshException?> CheckAsync(MeshMember member, IFleet fleet, string fleetProject,
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

            // GKE registration does not always leave the in-cluster object; GKE Hub is the authority, so look there.
            var link = $"//container.googleapis.com/projects/{cluster.GkeProject}/locations/{cluster.GkeLocation}/clusters/{cluster.GkeCluster}";
            var existing = (await fleet.ListMembershipsAsync(fleetProject, "-", ct).ConfigureAwait(false))
                .FirstOrDefault(m => string.Equals(m.GkeResourceLink, link, StringComparison.Ordinal));
            if (existing is not null)
            {
                sink.Verbose($"[{member.Context}] Fleet member {existing.Name} ({existing.State}).");
                return existing.IsReady ? null : MeshErrors.MeshMembershipNotReady(member.Context, existing.Name, existing.State);
            }

            if (request.SkipRegistration)
            {
                return MeshErrors.MeshGkeNotRegistered(member.Context, fleetProject);
            }

            return await RegisterGkeAsync(member, fleet, fleetProject, link, request, sink, ct).ConfigureAwait(false);
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
        catch (MeshException error) when (error.ErrorId == nameof(MeshErrors.MembershipNotFound))
        {
            return MeshErrors.MeshMembershipMissing(member.Context, ownerId);
        }

        sink.Verbose($"[{member.Context}] Fleet member {membership.Name} ({membership.State}).");
        return membership.IsReady ? null : MeshErrors.MeshMembershipNotReady(member.Context, membership.Name, membership.State);
    }

    private static async Task<MeshException?> RegisterGkeAsync(MeshMember member, IFleet fleet, string fleetProject,
        string resourceLink, MeshRequest request, IMeshSink sink, CancellationToken ct)
    {
        var cluster = member.Target.Cluster;
        var location = RegionOf(cluster.GkeLocation!);
        var spec = new FleetMembershipSpec
        {
            GkeResourceLink = resourceLink,
            Issuer = $"https://container.googleapis.com/v1/projects/{cluster.GkeProject}/locations/{cluster.GkeLocation}/clusters/{cluster.GkeCluster}",
        };

        // gcloud's naming: the cluster name; when taken, <cluster>-<project>-<location>.
        string[] candidates = [cluster.GkeCluster!, $"{cluster.GkeCluster}-{cluster.GkeProject}-{location}"];
        foreach (var id in candidates.Where(c => c.Length <= 63))
        {
            var name = $"projects/{fleetProject}/locations/{location}/memberships/{id}";
            if (!sink.ShouldProcess(name, $"Register the GKE cluster of context '{member.Context}' in fleet '{fleetProject}'"))
            {
                sink.Verbose($"[{member.Context}] Not registered (declined); it would become {name}.");
                return null;
            }

            FleetOperation operation;
            try
            {
                operation = await fleet.CreateMembershipAsync(fleetProject, location, id, spec, ct).ConfigureAwait(false);
            }
            catch (MeshException error) when (error.ErrorId == nameof(MeshErrors.MembershipExists))
            {
                continue;
            }

            sink.Verbose($"[{member.Context}] Registering as {name}; waiting for operation {operation.Name}.");
            var done = await fleet.WaitForOperationAsync(operation, request.RegistrationTimeout, ct).ConfigureAwait(false);
            var state = done.Membership?.State ?? "CODE_UNSPECIFIED";
            if (done.Membership is null || !done.Membership.IsReady)
            {
                // The operation's response may predate READY; ask once more.
                var current = await fleet.GetMembershipAsync(fleetProject, location, id, ct).ConfigureAwait(false);
                state = current.State;
                if (!current.IsReady)
                {
                    return MeshErrors.MeshMembershipNotReady(member.Context, name, state);
                }
            }

            sink.Information($"Registered context '{member.Context}' as fleet membership {name}.", ["HybridMesh", "Fleet"]);
            return null;
        }

        return MeshErrors.MeshGkeNotRegistered(member.Context, fleetProject);
    }

    /// <summary>us-central1-a → us-central1 (gcloud registers zonal clusters in their region); regions stay.</summary>
    internal static string RegionOf(string location)
    {
        var parts = location.Split('-');
        return parts.Length == 3 && parts[2].Length == 1 ? $"{parts[0]}-{parts[1]}" : location;
    }

    private static string? Segment(string[] parts, string key)
    {
        var index = Array.IndexOf(parts, key);
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : null;
    }
}
