namespace HybridMesh.Models;

/// <summary>
/// The east-west gateway of one cluster, as Install-EastWestGateway left it. Carries the binding keys (Cluster,
/// Kubeconfig, Context, Network, FleetProjectId, MeshId, Revision) so Publish-MeshService and later steps take it by
/// property name.
/// </summary>
public sealed class EastWestGateway
{
    public EastWestGateway(MeshCluster cluster, string network, string? revision, IReadOnlyList<AppliedObject> objects)
    {
        Cluster = cluster;
        Network = network;
        Revision = revision;
        Objects = objects.ToArray();
    }

    public MeshCluster Cluster { get; }

    public string Context => Cluster.Context;

    public KubeconfigList Kubeconfig => Cluster.Kubeconfig;

    /// <summary>The network id the gateway serves (its topology.istio.io/network label).</summary>
    public string Network { get; }

    /// <summary>The control-plane revision whose injector configures the gateway; null for the default revision.</summary>
    public string? Revision { get; }

    public string? FleetProjectId { get; init; }

    public string? MeshId { get; init; }

    /// <summary>Namespace of the gateway (istio-system).</summary>
    public string Namespace { get; init; } = IstioNames.SystemNamespace;

    /// <summary>The address other clusters reach the gateway at (load-balancer IP or host name, or an external IP).</summary>
    public string? Address { get; init; }

    public EastWestGatewayStatus Status { get; init; }

    /// <summary>Every object of the gateway with what was done to it.</summary>
    public AppliedObject[] Objects { get; }

    public override string ToString() => Context;
}
