using HybridMesh.Models;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// The Istio Gateway cross-network-gateway that exposes a cluster's services through its east-west gateway
/// (runbook step 4). Defaults reproduce expose-services.yaml.
/// </summary>
public sealed record CrossNetworkGatewayOptions
{
    public string Namespace { get; init; } = IstioNames.SystemNamespace;

    /// <summary>Hosts exposed with AUTO_PASSTHROUGH on port 15443; "*.local" exposes every service in the mesh.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = ["*.local"];
}
