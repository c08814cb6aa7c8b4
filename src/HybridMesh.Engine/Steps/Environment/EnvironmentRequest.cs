using HybridMesh.Engine.Google;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>What Get-MeshEnvironment asks for.</summary>
public sealed class EnvironmentRequest
{
    /// <summary>The fleet host project id; its number gives PROJECT_NUMBER and MESH_ID.</summary>
    public required string FleetProjectId { get; init; }

    /// <summary>The clusters to give a network id, in the order NETWORK_1..N are numbered.</summary>
    public IReadOnlyList<MeshCluster> Clusters { get; init; } = [];

    /// <summary>Network ids by context or cluster name. An entry here wins over every other source.</summary>
    public IReadOnlyDictionary<string, string> Networks { get; init; } = new Dictionary<string, string>();

    public GoogleApiOptions Google { get; init; } = new();

    /// <summary>Clusters resolved at once (each: its label, then GKE lookups); as for every per-cluster step
    /// (docs/design/scale.md). It was 4, which made 100 clusters take 25 rounds.</summary>
    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;
}

/// <summary>
/// Reads the network a cluster already uses (the topology.istio.io/network label of istio-system); null when the
/// cluster has none. Plugged into <see cref="EnvironmentResolver"/> by callers that can reach the clusters.
/// </summary>
internal delegate Task<string?> NetworkLabelReader(MeshCluster cluster, CancellationToken cancellationToken);
