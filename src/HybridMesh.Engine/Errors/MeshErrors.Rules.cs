using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors of the rules the pre-flight of New-Mesh shares with Test-MeshConnectivity (docs/design/rules.md): each is
/// the terminating form of one Failed check.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException MeshCaCertsNotLoaded(string context, string detail, string action) => new(
        "MeshCaCertsNotLoaded", MeshErrorCategory.InvalidData, context, detail, action);

    public static MeshException MeshClusterIdAmbiguous(string context, IEnumerable<string> revisionsAndIds) => new(
        "MeshClusterIdAmbiguous", MeshErrorCategory.InvalidData, context,
        $"Context '{context}' runs istiod revisions with different CLUSTER_ID values ({string.Join(", ", revisionsAndIds)}), " +
        "so it is not known which Istio cluster name keys its remote secrets.",
        "Say which control plane to use: re-run with -Revision <revision> (or remove the revision that is no longer used).");

    public static MeshException MeshRevisionNotInstalled(string context, string revision, IEnumerable<string> installed) => new(
        "MeshRevisionNotInstalled", MeshErrorCategory.ObjectNotFound, context,
        $"Context '{context}' has no istiod of revision '{revision}'; installed revisions: {string.Join(", ", installed)}.",
        "Pass one of the installed revisions with -Revision.");
}
