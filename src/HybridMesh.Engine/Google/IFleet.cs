namespace HybridMesh.Engine.Google;

/// <summary>GKE Hub v1 (the fleet): memberships and their long-running operations.</summary>
internal interface IFleet
{
    /// <summary>memberships.get. Throws MembershipNotFound, PermissionDenied, ... as MeshException.</summary>
    Task<FleetMembership> GetMembershipAsync(string project, string location, string membershipId,
        CancellationToken cancellationToken);

    /// <summary>
    /// memberships.list over every page. <paramref name="location"/> "-" lists all locations. Throws
    /// FleetLocationsUnreachable when GKE Hub reports locations it could not reach (the list would be partial).
    /// </summary>
    Task<IReadOnlyList<FleetMembership>> ListMembershipsAsync(string project, string location,
        CancellationToken cancellationToken);

    /// <summary>
    /// memberships.create; returns the operation. A request id is sent, so a retried create after a lost answer is
    /// not applied twice. An existing membership answers 409 ALREADY_EXISTS (MembershipExists); 409 ABORTED is retried.
    /// </summary>
    Task<FleetOperation> CreateMembershipAsync(string project, string location, string membershipId,
        FleetMembershipSpec spec, CancellationToken cancellationToken);

    /// <summary>operations.get by full name (projects/*/locations/*/operations/*).</summary>
    Task<FleetOperation> GetOperationAsync(string operationName, CancellationToken cancellationToken);

    /// <summary>Polls until the operation is done; throws FleetOperationFailed or FleetOperationTimeout.</summary>
    Task<FleetOperation> WaitForOperationAsync(FleetOperation operation, TimeSpan timeout,
        CancellationToken cancellationToken);
}

/// <summary>What to register: a GKE cluster by resource link, or a non-GKE cluster by its kube-system UID.</summary>
internal sealed class FleetMembershipSpec
{
    /// <summary>//container.googleapis.com/projects/P/locations/L/clusters/C</summary>
    public string? GkeResourceLink { get; init; }

    /// <summary>Workload identity issuer, https://container.googleapis.com/v1/projects/P/locations/L/clusters/C for GKE.</summary>
    public string? Issuer { get; init; }

    /// <summary>For non-GKE clusters: the UID of namespace kube-system.</summary>
    public string? ExternalId { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>A fleet membership (GKE Hub v1 Membership).</summary>
internal sealed class FleetMembership
{
    /// <summary>projects/*/locations/*/memberships/{id}</summary>
    public required string Name { get; init; }

    public string Id => Name[(Name.LastIndexOf('/') + 1)..];

    /// <summary>The location segment of <see cref="Name"/>, e.g. "global" or "us-central1".</summary>
    public string Location => Segment("locations");

    /// <summary>state.code: CREATING, READY, DELETING, UPDATING, SERVICE_UPDATING or CODE_UNSPECIFIED.</summary>
    public string State { get; init; } = "CODE_UNSPECIFIED";

    /// <summary>endpoint.gkeCluster.resourceLink for GKE members.</summary>
    public string? GkeResourceLink { get; init; }

    /// <summary>endpoint.onPremCluster.resourceLink for Google Distributed Cloud members.</summary>
    public string? OnPremResourceLink { get; init; }

    public string? ExternalId { get; init; }
    public string? Issuer { get; init; }
    public string? UniqueId { get; init; }
    public DateTimeOffset? CreateTime { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public bool IsReady => State == "READY";

    private string Segment(string key)
    {
        var parts = Name.Split('/');
        var index = Array.IndexOf(parts, key);
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : "";
    }

    public override string ToString() => Name;
}

/// <summary>A GKE Hub long-running operation.</summary>
internal sealed class FleetOperation
{
    public required string Name { get; init; }
    public bool Done { get; init; }

    /// <summary>The membership in "response" once the operation is done without error.</summary>
    public FleetMembership? Membership { get; init; }

    public int? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>metadata.target: the resource the operation works on.</summary>
    public string? Target { get; init; }

    public override string ToString() => Name;
}
