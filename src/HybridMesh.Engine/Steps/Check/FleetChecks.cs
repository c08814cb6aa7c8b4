using System.Text.RegularExpressions;
using HybridMesh.Engine.Google;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Spec §F.2: the cluster's hub.gke.io Membership names its fleet membership (spec.owner.id), and that membership
/// is READY in GKE Hub. Cloud Service Mesh only configures registered clusters.
/// </summary>
internal static partial class FleetChecks
{
    private const string Register =
        "Register the cluster to the fleet host project: gcloud container fleet memberships register <name> " +
        "--project <fleet project> (--gke-uri for GKE, --kubeconfig/--context otherwise) --enable-workload-identity.";

    [GeneratedRegex("^//gkehub\\.googleapis\\.com/projects/(?<p>[^/]+)/locations/(?<l>[^/]+)/memberships/(?<m>[^/]+)$")]
    private static partial Regex OwnerPattern();

    public static async Task<MeshCheck> FleetMembershipAsync(ClusterSnapshot s, IFleet? fleet, string? fleetUnavailable,
        CancellationToken ct)
    {
        const string check = CheckNames.FleetMembership;
        if (!s.Reachable) return ClusterChecks.Unreachable(check, s);
        if (s.MembershipOwner is not { } owner)
        {
            return Result.Fail(check, s.Context, "The cluster has no hub.gke.io Membership: it is not registered to a fleet.", Register);
        }

        var match = OwnerPattern().Match(owner);
        if (!match.Success)
        {
            return Result.Fail(check, s.Context, $"The cluster's Membership names '{owner}', not a GKE Hub membership.", Register);
        }

        var (project, location, id) = (match.Groups["p"].Value, match.Groups["l"].Value, match.Groups["m"].Value);
        if (s.Target.FleetProjectId is { Length: > 0 } expected && !string.Equals(expected, project, StringComparison.Ordinal))
        {
            return Result.Fail(check, s.Context,
                $"The cluster is registered to project '{project}', not to the fleet host project '{expected}'.", Register);
        }

        if (fleet is null)
        {
            return Result.Skip(check, s.Context,
                $"Registered as {project}/{location}/{id}; its state was not read from GKE Hub: {fleetUnavailable}");
        }

        FleetMembership membership;
        try
        {
            membership = await fleet.GetMembershipAsync(project, location, id, ct).ConfigureAwait(false);
        }
        catch (MeshException ex)
        {
            return ex.ErrorId == nameof(MeshErrors.MembershipNotFound)
                ? Result.Fail(check, s.Context, $"Membership {project}/{location}/{id} does not exist in GKE Hub (deleted?).", Register)
                : Result.Warn(check, s.Context, $"Could not read membership {project}/{location}/{id}: {ex.Message}", ex.RecommendedAction);
        }

        return membership.IsReady
            ? Result.Pass(check, s.Context, $"Membership {project}/{location}/{id} is READY.")
            : Result.Fail(check, s.Context, $"Membership {project}/{location}/{id} is {membership.State}, not READY.",
                "Wait for the registration to finish (gcloud container fleet memberships describe); if it stays so, re-register the cluster.");
    }
}
