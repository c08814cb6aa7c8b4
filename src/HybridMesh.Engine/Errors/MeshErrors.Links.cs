using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>Errors of Get-MeshLink / Update-MeshLinkCredential (day 2). Targets are contexts or link names; never a token.</summary>
internal static partial class MeshErrors
{
    public static MeshException LinkSourceNotFound(string name, IEnumerable<string> known) => new(
        "LinkSourceNotFound", MeshErrorCategory.InvalidArgument, name,
        $"-Source '{name}' is neither a context nor an Istio cluster name of the given clusters ({string.Join(", ", known)}).",
        "Name a source among the clusters given to the command (context or Istio cluster name), or pass that cluster too.");

    public static MeshException LinkRotationFailed(string context, string reason, MeshErrorCategory category, Exception? inner = null) => new(
        "LinkRotationFailed", category, context,
        $"The reader token of '{context}' was not rotated: {reason} No remote secret was changed and the old token stays valid.",
        "Fix the cause named in the message (Get-MeshLink shows every link's state), then run Update-MeshLinkCredential again.",
        inner);

    public static MeshException LinkRotationTargetFailed(string link, string targetContext, string reason, string oldSecret,
        Exception? inner = null) => new(
        "LinkRotationTargetFailed", inner is MeshException m ? m.Category : MeshErrorCategory.InvalidOperation, link,
        $"Link {link}: the remote secret in '{targetContext}' was not moved to the new reader token: {reason} " +
        $"The old token ({oldSecret}) was kept, so the old and the new token are both valid and every link still works.",
        "Fix access to that cluster, then run Update-MeshLinkCredential again: it resumes with the same new token, " +
        "rewrites what is left and only then deletes the old token Secret.", inner);
}
