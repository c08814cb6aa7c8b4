using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// The error of a link that failed part-way: an API server that stopped answering is MeshLinkClusterUnreachable
/// (what the troubleshooting topic documents for a dead cluster), anything else MeshLinkFailed.
/// </summary>
internal static class MeshLinkErrors
{
    public static bool IsUnreachable(MeshException error) => error is KubeUnreachableException;

    public static MeshException For(string link, string context, MeshException error, string detailPrefix = "") =>
        IsUnreachable(error)
            ? MeshErrors.MeshLinkClusterUnreachable(link, context, MeshErrors.FirstLine(error.Message), error)
            : MeshErrors.MeshLinkFailed(link, detailPrefix + MeshErrors.FirstLine(error.Message), error);
}
