using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>Errors of the link tools' use of istiod's own view (docs/design/link-lifecycle.md). Never carries a token.</summary>
internal static partial class MeshErrors
{
    public static MeshException LinkRotationNotSynced(string link, string targetContext, string secret, string status, TimeSpan waited,
        string oldSecret) => new(
        "LinkRotationNotSynced", MeshErrorCategory.OperationTimeout, link,
        $"Link {link}: the remote secret {secret} in '{targetContext}' holds the new reader token, but istiod there did not list " +
        $"the source as synced from it within {waited.TotalSeconds:0} s (istiod reports: {status}). The old token ({oldSecret}) " +
        "was kept, so istiod keeps working with whichever token it has loaded.",
        $"Look at istiod in '{targetContext}' (Test-MeshConnectivity shows RemoteClusterSync; restart it with " +
        "kubectl -n istio-system rollout restart deployment -l app=istiod if it is stale), then run Update-MeshLinkCredential " +
        "again; -SkipIstiodView accepts the workstation's proof instead.");
}
