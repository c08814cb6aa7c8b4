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
            if (verdict.RegisterLink is not null && verdict.Gke is { } gke && !request.SkipRegistration)
            {
                // Names, ALREADY_EXISTS and Workload Identity as gcloud handles them (docs/design/fleet-registration.md).
                var registration = new GkeFleetRegistration(fleet.Fleet, fleet.Projects, fleet.ProjectId!, fleet.ProjectNumber, sink);
                return await registration.RegisterAsync(member.Context, gke, request.RegistrationTimeout, ct).ConfigureAwait(false);
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

    /// <summary>us-central1-a → us-central1 (gcloud registers zonal clusters in their region); regions stay.</summary>
    internal static string RegionOf(string location) => FleetMembershipNames.RegionOf(location);
}
