namespace HybridMesh.Engine.Steps.Check;

/// <summary>What GKE says about the cluster, when a caller read it (Test-MeshPrerequisite does; docs/design/prerequisites.md).</summary>
internal sealed partial class ClusterSnapshot
{
    /// <summary>
    /// The cluster's VPC (networkConfig.network, projects/&lt;host project&gt;/global/networks/&lt;name&gt;) when GKE was
    /// read; null when unknown. The network rule uses it to tell GKE clusters on one VPC (one network id by design)
    /// from clusters that only share an id.
    /// </summary>
    public string? GkeVpc { get; set; }

    /// <summary>The kubeconfig says GKE (gke_ context or a GKE-style server): its platform, not a guess from the network id.</summary>
    public bool IsGke => Target.Cluster.Platform == HybridMesh.Models.ClusterPlatform.Gke;
}
