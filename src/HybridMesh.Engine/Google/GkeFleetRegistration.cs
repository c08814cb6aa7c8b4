using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>
/// Finding and creating the fleet membership of one GKE cluster the way gcloud and asmcli do
/// (docs/design/fleet-registration.md):
/// - the cluster's own fleet.membership (clusters.get) is the authority when GKE reports one;
/// - otherwise the fleet's membership list, comparing resource links by their parts (project id or number,
///   "locations" or "zones"), and refusing to decide on a list GKE Hub reports as partial (unreachable);
/// - registration needs Workload Identity on the cluster (the membership's issuer is the cluster's);
/// - a 409 ALREADY_EXISTS is a success when the existing membership is this cluster's (a replayed create), else the
///   next asmcli name is tried.
/// </summary>
internal sealed class GkeFleetRegistration
{
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly IFleet _fleet;
    private readonly IProjectDirectory? _projects;
    private readonly string _fleetProject;
    private readonly long? _fleetNumber;
    private readonly IMeshSink _sink;
    private readonly Func<string>? _random;

    public GkeFleetRegistration(IFleet fleet, IProjectDirectory? projects, string fleetProject, long? fleetNumber,
        IMeshSink sink, Func<string>? random = null)
    {
        _fleet = fleet;
        _projects = projects;
        _fleetProject = fleetProject;
        _fleetNumber = fleetNumber;
        _sink = sink;
        _random = random;
    }

    /// <summary>
    /// The cluster's membership in this fleet, or null when it has none. Throws MeshMembershipOtherFleet when GKE
    /// says the cluster belongs to another fleet, FleetLocationsUnreachable when the list is partial.
    /// </summary>
    public async Task<FleetMembership?> FindAsync(string context, GkeClusterInfo cluster, CancellationToken ct)
    {
        if (FleetMembershipName.Parse(cluster.FleetMembership) is { } named)
        {
            if (!named.InFleet(_fleetProject, _fleetNumber))
            {
                throw MeshErrors.MeshMembershipOtherFleet(context, cluster.FleetMembership!, _fleetProject);
            }

            try
            {
                var membership = await _fleet.GetMembershipAsync(_fleetProject, named.Location, named.Id, ct)
                    .ConfigureAwait(false);
                _sink.Verbose($"[{context}] GKE names fleet membership {membership.Name} for the cluster.");
                return membership;
            }
            catch (MeshException error) when (error.ErrorId == nameof(MeshErrors.MembershipNotFound))
            {
                // GKE's field can lag behind a deletion; the list below is the next best answer.
                _sink.Verbose($"[{context}] GKE names {cluster.FleetMembership}, which GKE Hub does not know; " +
                              "looking through the fleet's memberships.");
            }
        }

        var memberships = await _fleet.ListMembershipsAsync(_fleetProject, "-", ct).ConfigureAwait(false);
        long? number = null;
        var numberRead = false;
        foreach (var membership in memberships)
        {
            if (GkeResourceLink.Parse(membership.GkeResourceLink) is not { } link)
            {
                continue;
            }

            if (link.ProjectIsNumber && !numberRead && !link.Names(cluster, null))
            {
                number = await ClusterProjectNumberAsync(context, cluster, ct).ConfigureAwait(false);
                numberRead = true;
            }

            if (link.Names(cluster, number))
            {
                return membership;
            }
        }

        return null;
    }

    /// <summary>
    /// Registers the cluster (memberships.create with the body gcloud sends for --gke-cluster
    /// --enable-workload-identity) and waits until the membership is READY. Returns the failure, or null when the
    /// cluster is a READY member or the caller declined (-WhatIf).
    /// </summary>
    public async Task<MeshException?> RegisterAsync(string context, GkeClusterInfo cluster, TimeSpan timeout,
        CancellationToken ct)
    {
        if (string.IsNullOrEmpty(cluster.WorkloadPool))
        {
            return MeshErrors.GkeWorkloadIdentityDisabled(context, cluster.Project, cluster.Location, cluster.Name);
        }

        var location = FleetMembershipNames.RegionOf(cluster.Location);
        var spec = new FleetMembershipSpec
        {
            GkeResourceLink = cluster.ResourceLink,
            Issuer = $"https://container.googleapis.com/v1/projects/{cluster.Project}/locations/{cluster.Location}/clusters/{cluster.Name}",
        };
        var taken = new List<string>();
        foreach (var id in FleetMembershipNames.Candidates(cluster.Name, cluster.Project, cluster.Location, _random))
        {
            var name = $"projects/{_fleetProject}/locations/{location}/memberships/{id}";
            if (!_sink.ShouldProcess(name, $"Register the GKE cluster of context '{context}' in fleet '{_fleetProject}'"))
            {
                _sink.Verbose($"[{context}] Not registered (declined); it would become {name}.");
                return null;
            }

            FleetMembership? membership;
            try
            {
                var operation = await _fleet.CreateMembershipAsync(_fleetProject, location, id, spec, ct).ConfigureAwait(false);
                _sink.Verbose($"[{context}] Registering as {name}; waiting for operation {operation.Name}.");
                var done = await _fleet.WaitForOperationAsync(operation, timeout, ct).ConfigureAwait(false);
                membership = done.Membership;
            }
            catch (MeshException error) when (error.ErrorId == nameof(MeshErrors.MembershipExists))
            {
                // gcloud's rule: the name exists; it is ours when its endpoint is this cluster (for example our own
                // create, replayed with the same requestId after a lost answer).
                var existing = await _fleet.GetMembershipAsync(_fleetProject, location, id, ct).ConfigureAwait(false);
                if (GkeResourceLink.Parse(existing.GkeResourceLink) is not { } link ||
                    !link.Names(cluster, link.ProjectIsNumber ? await ClusterProjectNumberAsync(context, cluster, ct).ConfigureAwait(false) : null))
                {
                    _sink.Verbose($"[{context}] {name} belongs to {existing.GkeResourceLink ?? existing.ExternalId ?? "another cluster"}; trying the next name.");
                    taken.Add(id);
                    continue;
                }

                _sink.Verbose($"[{context}] {name} already exists for this cluster; using it.");
                membership = existing;
            }

            return await ReadyOrFailureAsync(context, name, location, id, membership, timeout, ct).ConfigureAwait(false);
        }

        return MeshErrors.FleetMembershipNamesTaken(context, _fleetProject, taken);
    }

    private async Task<MeshException?> ReadyOrFailureAsync(string context, string name, string location, string id,
        FleetMembership? membership, TimeSpan timeout, CancellationToken ct)
    {
        // The operation's response (or a replayed create's membership) may predate READY: ask until it is.
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (membership is null || !membership.IsReady)
        {
            membership = await _fleet.GetMembershipAsync(_fleetProject, location, id, ct).ConfigureAwait(false);
            if (membership.IsReady)
            {
                break;
            }

            if (membership.State != "CREATING" || DateTimeOffset.UtcNow >= deadline)
            {
                return MeshErrors.MeshMembershipNotReady(context, name, membership.State);
            }

            await Task.Delay(ReadyPollInterval, ct).ConfigureAwait(false);
        }

        _sink.Information($"Registered context '{context}' as fleet membership {name}.", ["HybridMesh", "Fleet"]);
        return null;
    }

    // The cluster project's number, for links written with it. Resource Manager may refuse (no resourcemanager
    // permission on a cluster project): then only id-based links can match, which is said in verbose output.
    private async Task<long?> ClusterProjectNumberAsync(string context, GkeClusterInfo cluster, CancellationToken ct)
    {
        if (cluster.Project == _fleetProject)
        {
            return _fleetNumber;
        }

        if (_projects is null)
        {
            return null;
        }

        try
        {
            return (await _projects.GetProjectAsync(cluster.Project, ct).ConfigureAwait(false)).ProjectNumber;
        }
        catch (MeshException error)
        {
            _sink.Verbose($"[{context}] The number of project '{cluster.Project}' is unknown ({error.ErrorId}); " +
                          "memberships whose link names it by number cannot be matched.");
            return null;
        }
    }
}
