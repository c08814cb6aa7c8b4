namespace HybridMesh.Models;

/// <summary>What a live API server says about a cluster (Get-MeshCluster -Detailed).</summary>
public sealed class ClusterDetails
{
    public string ServerVersion { get; init; } = "";

    /// <summary>Istio control-plane revisions found (istiod-&lt;rev&gt; Deployments in istio-system).</summary>
    public string[] IstioRevisions { get; init; } = [];

    /// <summary>The topology.istio.io/network label of the istio-system namespace, when set.</summary>
    public string? NetworkLabel { get; init; }

    /// <summary>The Istio cluster name (istiod's CLUSTER_ID), which keys remote secrets.</summary>
    public string? IstioClusterName { get; init; }

    /// <summary>SHA-256 fingerprints (hex, of DER) of the root certificates the cluster trusts.</summary>
    public string[] RootCertificateFingerprints { get; init; } = [];
}
