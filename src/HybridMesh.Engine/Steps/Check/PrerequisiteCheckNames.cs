namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Check names only Test-MeshPrerequisite reports (docs/design/prerequisites.md). It also reports ApiServer,
/// FleetMembership, NetworkLabel, IstioRevision and SharedRoot from <see cref="CheckNames"/>: the same rules as
/// New-Mesh's pre-flight and Test-MeshConnectivity.
/// </summary>
internal static class PrerequisiteCheckNames
{
    public const string GkeNetwork = "GkeNetwork";
    public const string PrivateCluster = "PrivateCluster";
    public const string LoadBalancerPolicy = "LoadBalancerPolicy";
    public const string LoadBalancer = "LoadBalancer";
    public const string Permissions = "Permissions";
    public const string IstioVersion = "IstioVersion";
    public const string TrustDomain = "TrustDomain";
}
