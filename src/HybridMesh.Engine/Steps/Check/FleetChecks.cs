using System.Globalization;
using System.Text.RegularExpressions;
using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>The fleet as both cmdlets see it: GKE Hub, the fleet host project's id and, when known, its number.</summary>
internal sealed record FleetView(IFleet Fleet, string? ProjectId, long? ProjectNumber, IGkeClusters? Clusters = null,
    IProjectDirectory? Projects = null);

/// <summary>The fleet rule's answer; <see cref="RegisterLink"/> is set for a GKE cluster GKE Hub does not know yet.</summary>
internal sealed record FleetVerdict(RuleVerdict Verdict, string? RegisterLink = null, GkeClusterInfo? Gke = null);

/// <summary>
/// The one fleet-membership rule of Test-MeshConnectivity and New-Mesh (docs/design/rules.md, docs/design/google-rest.md).
/// GKE Hub is the authority: the in-cluster hub.gke.io Membership only says which membership to ask for (its owner
/// names the fleet project by id or by number), and a GKE cluster without one is looked up in GKE Hub by its resource
/// link, since registering through GKE Hub does not always leave the in-cluster object. Cloud Service Mesh only
/// configures READY members.
/// </summary>
internal static partial class FleetChecks
{
    private const string Register =
        "Register the cluster to the fleet host project: gcloud container fleet memberships register <name> " +
        "--project <fleet project> (--gke-uri for GKE, --kubeconfig/--context otherwise) --enable-workload-identity.";

    [GeneratedRegex("^//gkehub\\.googleapis\\.com/projects/(?<p>[^/]+)/locations/(?<l>[^/]+)/memberships/(?<m>[^/]+)$")]
    private static partial Regex OwnerPattern();

    public static async Task<FleetVerdict> EvaluateAsync(ClusterSnapshot s, FleetView? fleet, string? fleetUnavailable,
        CancellationToken ct)
    {
        const string check = CheckNames.FleetMembership;
        if (!s.Reachable) return new(ClusterChecks.Unreachable(check, s));
        var fleetProject = fleet?.ProjectId ?? s.Target.FleetProjectId;
        if (s.MembershipOwner is { } owner)
        {
            return new(await OwnedAsync(s, owner, fleet, fleetProject, fleetUnavailable, ct).ConfigureAwait(false));
        }

        var cluster = s.Target.Cluster;
        if (cluster.Platform != ClusterPlatform.Gke || cluster.GkeProject is null || cluster.GkeLocation is null || cluster.GkeCluster is null)
        {
            var file = KubeconfigFileOf(cluster);
            var error = MeshErrors.MeshOnPremNotRegistered(s.Context, fleetProject ?? "<fleet project>", file);
            return new(new(Result.Fail(check, s.Context,
                "The cluster has no hub.gke.io Membership: it is not registered to a fleet (an on-prem member runs the Connect agent, which creates it).",
                error.RecommendedAction), error));
        }

        if (fleet is null || fleetProject is null)
        {
            return new(Result.Skip(check, s.Context, "No hub.gke.io Membership in the cluster, and GKE Hub was not read: " +
                (fleet is null ? fleetUnavailable : "the fleet project is not known (-FleetProjectId).")));
        }

        var link = $"//container.googleapis.com/projects/{cluster.GkeProject}/locations/{cluster.GkeLocation}/clusters/{cluster.GkeCluster}";
        FleetMembership? existing;
        GkeClusterInfo? gke = null;
        try
        {
            if (fleet.Clusters is not null)
            {
                // GKE's own fleet.membership field is the authority when present; links are compared by their parts
                // (project id or number, location spelling), and a partial list is an error (docs/design/fleet-registration.md).
                gke = await fleet.Clusters.GetClusterAsync(cluster.GkeProject, cluster.GkeLocation, cluster.GkeCluster, ct)
                    .ConfigureAwait(false);
                existing = await new GkeFleetRegistration(fleet.Fleet, fleet.Projects, fleetProject, fleet.ProjectNumber,
                    NullMeshSink.Instance).FindAsync(s.Context, gke, ct).ConfigureAwait(false);
            }
            else
            {
                existing = (await fleet.Fleet.ListMembershipsAsync(fleetProject, "-", ct).ConfigureAwait(false))
                    .FirstOrDefault(m => GkeResourceLink.Parse(m.GkeResourceLink) is { } parsed &&
                                         GkeResourceLink.Parse(link) is { } own && parsed.Equals(own));
            }
        }
        catch (MeshException ex) when (ex.ErrorId == nameof(MeshErrors.MeshMembershipOtherFleet))
        {
            return new(new(Result.Fail(check, s.Context, ex.Message, Register), ex));
        }
        catch (MeshException ex)
        {
            return new(new(Result.Warn(check, s.Context, $"GKE Hub could not be searched for {link}: {ex.Message}", ex.RecommendedAction), ex));
        }

        if (existing is null)
        {
            var error = MeshErrors.MeshGkeNotRegistered(s.Context, fleetProject);
            return new(new(Result.Fail(check, s.Context, $"GKE Hub has no membership for {link} in fleet '{fleetProject}'.",
                error.RecommendedAction), error), link, gke);
        }

        return new(State(s, existing));
    }

    private static async Task<RuleVerdict> OwnedAsync(ClusterSnapshot s, string owner, FleetView? fleet, string? fleetProject,
        string? fleetUnavailable, CancellationToken ct)
    {
        const string check = CheckNames.FleetMembership;
        var match = OwnerPattern().Match(owner);
        if (!match.Success)
        {
            var error = MeshErrors.MeshMembershipOtherFleet(s.Context, owner, fleetProject ?? "<fleet project>");
            return new(Result.Fail(check, s.Context, $"The cluster's Membership names '{owner}', not a GKE Hub membership.", Register), error);
        }

        var (project, location, id) = (match.Groups["p"].Value, match.Groups["l"].Value, match.Groups["m"].Value);
        var number = fleet?.ProjectNumber;
        var sameFleet = fleetProject is null || project == fleetProject ||
                        (number is { } n && project == n.ToString(CultureInfo.InvariantCulture));
        // A number cannot be compared with the project id until the project's number is known; GKE Hub then decides.
        if (!sameFleet && (number is not null || !IsNumber(project)))
        {
            var error = MeshErrors.MeshMembershipOtherFleet(s.Context, owner, fleetProject!);
            return new(Result.Fail(check, s.Context,
                $"The cluster is registered to project '{project}', not to the fleet host project '{fleetProject}'.", Register), error);
        }

        if (fleet is null)
        {
            return Result.Skip(check, s.Context,
                $"Registered as {project}/{location}/{id}; its state was not read from GKE Hub: {fleetUnavailable}");
        }

        FleetMembership membership;
        try
        {
            membership = await fleet.Fleet.GetMembershipAsync(fleetProject ?? project, location, id, ct).ConfigureAwait(false);
        }
        catch (MeshException ex) when (ex.ErrorId == nameof(MeshErrors.MembershipNotFound))
        {
            return new(Result.Fail(check, s.Context, $"Membership {project}/{location}/{id} does not exist in GKE Hub (deleted?).", Register),
                MeshErrors.MeshMembershipMissing(s.Context, owner));
        }
        catch (MeshException ex)
        {
            // Not verifiable is not broken: a warning here; New-Mesh stops with the Google error itself.
            return new(Result.Warn(check, s.Context, $"Could not read membership {project}/{location}/{id}: {ex.Message}", ex.RecommendedAction), ex);
        }

        return State(s, membership);
    }

    private static RuleVerdict State(ClusterSnapshot s, FleetMembership membership)
    {
        if (membership.IsReady)
        {
            return Result.Pass(CheckNames.FleetMembership, s.Context, $"Membership {membership.Name} is READY in GKE Hub.");
        }

        var error = MeshErrors.MeshMembershipNotReady(s.Context, membership.Name, membership.State);
        return new(Result.Fail(CheckNames.FleetMembership, s.Context, $"Membership {membership.Name} is {membership.State}, not READY.",
            "Wait for the registration to finish (gcloud container fleet memberships describe); if it stays so, re-register the cluster."),
            error);
    }

    private static bool IsNumber(string project) => project.Length > 0 && project.All(char.IsAsciiDigit);

    /// <summary>The kubeconfig file that defines the cluster's context (what gcloud's --kubeconfig needs), else the first.</summary>
    internal static string KubeconfigFileOf(MeshCluster cluster)
    {
        try
        {
            if (cluster.Kubeconfig.Count > 0 &&
                KubeconfigSet.Load(cluster.Kubeconfig).ContextOrigin.TryGetValue(cluster.Context, out var file))
            {
                return file;
            }
        }
        catch (MeshException)
        {
            // An unreadable file: fall back to the list's first file, as before.
        }

        return cluster.Kubeconfig.FirstOrDefault() ?? "~/.kube/config";
    }

    /// <summary>Connects to Google APIs and resolves the fleet project's number (owners may name it by number).</summary>
    public static async Task<(GoogleApis? Apis, FleetView? View, string? Why)> ConnectAsync(GoogleApiOptions? options,
        string? fleetProject, IMeshSink sink, CancellationToken ct)
    {
        if (options is null)
        {
            return (null, null, "no Google API access was configured.");
        }

        GoogleApis apis;
        try
        {
            apis = await GoogleApis.ConnectAsync(options, sink, ct).ConfigureAwait(false);
        }
        catch (MeshException ex)
        {
            sink.Verbose($"Fleet memberships are not checked: {ex.Message}");
            return (null, null, ex.Message);
        }

        long? number = null;
        if (fleetProject is not null)
        {
            try
            {
                number = (await apis.Projects.GetProjectAsync(fleetProject, ct).ConfigureAwait(false)).ProjectNumber;
            }
            catch (MeshException ex)
            {
                sink.Verbose($"The number of project '{fleetProject}' could not be read ({ex.ErrorId}); owners naming it by number are not matched.");
            }
        }

        return (apis, new FleetView(apis.Fleet, fleetProject, number, apis.Clusters, apis.Projects), null);
    }
}
