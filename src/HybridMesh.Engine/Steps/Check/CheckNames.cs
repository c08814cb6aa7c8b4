using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>The stable names of the checks (the Check property), in the order they are reported.</summary>
internal static class CheckNames
{
    public const string ApiServer = "ApiServer";
    public const string IstioRevision = "IstioRevision";
    public const string NetworkLabel = "NetworkLabel";
    public const string EastWestGateway = "EastWestGateway";
    public const string CrossNetworkGateway = "CrossNetworkGateway";
    public const string SharedRoot = "SharedRoot";
    public const string FleetMembership = "FleetMembership";
    public const string RemoteSecret = "RemoteSecret";
    public const string RemoteSecretServer = "RemoteSecretServer";
    public const string RemoteSecretCredentials = "RemoteSecretCredentials";
    public const string RemoteSecretToken = "RemoteSecretToken";
}

/// <summary>Builds MeshCheck results; a passed check carries no recommended action.</summary>
internal static class Result
{
    public static MeshCheck Pass(string check, string cluster, string detail, string? peer = null) =>
        new() { Check = check, Cluster = cluster, Peer = peer, Status = MeshCheckStatus.Passed, Detail = detail };

    public static MeshCheck Fail(string check, string cluster, string detail, string action, string? peer = null) =>
        new() { Check = check, Cluster = cluster, Peer = peer, Status = MeshCheckStatus.Failed, Detail = detail, RecommendedAction = action };

    public static MeshCheck Warn(string check, string cluster, string detail, string action, string? peer = null) =>
        new() { Check = check, Cluster = cluster, Peer = peer, Status = MeshCheckStatus.Warning, Detail = detail, RecommendedAction = action };

    public static MeshCheck Skip(string check, string cluster, string detail, string? peer = null) =>
        new() { Check = check, Cluster = cluster, Peer = peer, Status = MeshCheckStatus.Skipped, Detail = detail };
}
