using HybridMesh.Engine.Google;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// New-Mesh's fleet step: the fleet rule Test-MeshConnectivity also reports (FleetChecks, GKE Hub the authority)
/// decides; a GKE cluster GKE Hub does not know is registered with memberships.create (the body gcloud sends for
/// --gke-uri --enable-workload-identity) and the operation is polled. An on-prem cluster needs the Connect agent,
/// so it is an error naming the command (docs/design/google-rest.md).
/// </summary>
internal static class MeshFleetCheck
{
    /// <summary>Checks (and registers) one cluster; returns the failure, or null when it is a READY member.</summary>
    public static async Task<MeshException?> CheckAsync(MeshMember member, FleetView fleet, MeshRequest request, IMeshSink sink,
        CancellationToken ct)
    {
        try
        {
            var verdict = await FleetChecks.EvaluateAsync(member.Snapshot!, fleet, null, ct).ConfigureAwait(false);
            if (verdict.RegisterLink is { } link && !request.SkipRegistration)
            {
                return await RegisterGkeAsync(member, fleet.Fleet, fleet.ProjectId!, link, request, sink, ct).ConfigureAwait(false);
            }

            if (verdict.Verdict.Error is null)
            {
                sink.Verbose($"[{member.Context}] {verdict.Verdict.Check.Detail}");
            }

            return verdict.Verdict.Error;
        }
        catch (MeshException error)
        {
            return error;
        }
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
}
