using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors of the input checks that run before any write (names the user gave for clusters, the number of clusters
/// New-Mesh can mesh) and of links whose proof did not end Connected. See docs/design/cluster-names.md and
/// docs/design/reader-tokens.md.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException ClusterNameUnknown(string parameter, string name, IEnumerable<string> valid)
    {
        var list = string.Join(", ", valid.Distinct(StringComparer.Ordinal).Take(30));
        return new MeshException(
            "ClusterNameUnknown", MeshErrorCategory.InvalidArgument, name,
            $"{parameter} names '{name}', which is none of the clusters given. Valid names: {(list.Length == 0 ? "none" : list)}.",
            $"Use one of the listed names in {parameter} (a kubeconfig context, an Istio cluster name or the short name " +
            "Get-MeshCluster shows), or add that cluster to the input.");
    }

    public static MeshException ClusterNameAmbiguous(string parameter, string name, IEnumerable<string> candidates) => new(
        "ClusterNameAmbiguous", MeshErrorCategory.InvalidArgument, name,
        $"{parameter} names '{name}', which matches several clusters: {string.Join(", ", candidates)}.",
        $"Name the cluster in {parameter} by its kubeconfig context, which is unique.");

    public static MeshException MeshTooFewClusters(int usable, IEnumerable<string> contexts)
    {
        var list = string.Join(", ", contexts);
        return new MeshException(
            "MeshTooFewClusters", MeshErrorCategory.InvalidArgument, list.Length == 0 ? null : list,
            $"New-Mesh needs at least two usable clusters and has {usable}" +
            (list.Length == 0 ? "." : $" ({list}).") + " Nothing was written.",
            "Fix the contexts reported above (Get-MeshCluster lists the valid ones) or make the unreachable API " +
            "servers reachable, then run New-Mesh with -Context naming two or more clusters.");
    }

    public static MeshException MeshLinkUnauthorized(string link, string sourceCluster) => new(
        "MeshLinkUnauthorized", MeshErrorCategory.AuthenticationError, link,
        $"Link {link}: '{sourceCluster}' rejects the reader token in the remote secret (401: revoked, its token " +
        "Secret deleted or marked kubernetes.io/legacy-token-invalid-since), so istiod cannot read that cluster.",
        "Run New-Mesh again without -WhatIf: it issues a new reader token and rewrites every remote secret that holds it.");

    public static MeshException MeshLinkForbidden(string link, string detail) => new(
        "MeshLinkForbidden", MeshErrorCategory.PermissionDenied, link,
        $"Link {link}: the reader token is accepted but {detail}",
        "Restore the istio-reader ClusterRole and ClusterRoleBinding of the source cluster (re-install Istio, or " +
        "delete them and run New-Mesh again, which recreates missing ones).");
}
