using HybridMesh.Models;

namespace HybridMesh.Engine;

/// <summary>
/// One cluster a step acts on, with what the pipeline already knows about it. Built by the cmdlets from a
/// MeshEnvironment, a MeshCluster, or any object with Kubeconfig/Context (and optionally Network, FleetProjectId,
/// MeshId, Revision) properties, so every step's output can feed the next step.
/// </summary>
public sealed class MeshTarget
{
    public MeshTarget(MeshCluster cluster)
    {
        Cluster = cluster;
    }

    public MeshCluster Cluster { get; }

    /// <summary>The network id when known (from Get-MeshEnvironment or a Network property).</summary>
    public string? Network { get; init; }

    public string? FleetProjectId { get; init; }

    public string? MeshId { get; init; }

    /// <summary>The Istio revision when the input names one (e.g. an EastWestGateway's Revision).</summary>
    public string? Revision { get; init; }

    public string Context => Cluster.Context;

    public override string ToString() => Cluster.Context;
}
