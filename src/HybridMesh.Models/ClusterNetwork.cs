namespace HybridMesh.Models;

/// <summary>Where a cluster's network id came from.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum NetworkSource : long
{
    /// <summary>Given with -Network.</summary>
    Parameter,
    /// <summary>The existing topology.istio.io/network label on istio-system.</summary>
    ClusterLabel,
    /// <summary>Computed from GKE: &lt;cluster project&gt;-&lt;network&gt;.</summary>
    GkeNetwork,
    /// <summary>The on-premises default, "default".</summary>
    Default,
}

/// <summary>One cluster of an environment with its network id. Binds by property name (Kubeconfig, Context, Network).</summary>
public sealed class ClusterNetwork
{
    public ClusterNetwork(MeshCluster cluster, string network, NetworkSource source)
    {
        Cluster = cluster;
        Network = network;
        NetworkSource = source;
    }

    public MeshCluster Cluster { get; }
    public string Network { get; }
    public NetworkSource NetworkSource { get; }
    public string Context => Cluster.Context;
    public KubeconfigList Kubeconfig => Cluster.Kubeconfig;
    public string Name => Cluster.Name;
    public ClusterPlatform Platform => Cluster.Platform;

    public override string ToString() => $"{Cluster.Context}={Network}";
}
