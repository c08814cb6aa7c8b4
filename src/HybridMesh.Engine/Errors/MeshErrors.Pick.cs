using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>Errors of picking clusters from kubeconfig files (docs/design/cluster-picking.md).</summary>
internal static partial class MeshErrors
{
    /// <summary>
    /// The same id as <see cref="NoClusters()"/>: the input named kubeconfig files (-Kubeconfig or $env:KUBECONFIG)
    /// but they define no context, so there is no cluster to act on.
    /// </summary>
    public static MeshException NoClustersInKubeconfig(IReadOnlyList<string> files) => new(
        "NoClusters", MeshErrorCategory.InvalidArgument, string.Join(", ", files),
        $"No cluster was given: {string.Join(", ", files)} define no context.",
        "Add the files that define the clusters' contexts to -Kubeconfig (gcloud container clusters get-credentials " +
        "writes them for GKE), or pass -Context; Get-MeshCluster -Kubeconfig <file> lists what a file defines.");
}
