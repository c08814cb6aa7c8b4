using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Every user-facing error the Engine raises, in one place, so ids stay stable and each carries the fix.
/// docs/en-US/about_HybridMesh_Troubleshooting.md lists the same ids; a test keeps the two in step.
/// Messages must never include a token, key or secret value. One partial file per area (Errors/MeshErrors.Google.cs, ...).
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException KubeconfigNotFound(string path) => new(
        "KubeconfigNotFound", MeshErrorCategory.ObjectNotFound, path,
        $"No kubeconfig file was found at '{path}'.",
        "Pass -Kubeconfig with the path of an existing file, set $env:KUBECONFIG, or create ~/.kube/config " +
        "(for GKE: gcloud container clusters get-credentials).");

    public static MeshException KubeconfigUnreadable(string path, Exception inner) => new(
        "KubeconfigUnreadable", MeshErrorCategory.PermissionDenied, path,
        $"The kubeconfig file '{path}' cannot be read: {inner.Message}",
        "Check the file's permissions and that it is not locked by another program.", inner);

    public static MeshException KubeconfigInvalid(string path, Exception inner) => new(
        "KubeconfigInvalid", MeshErrorCategory.InvalidData, path,
        $"The kubeconfig file '{path}' is not a valid kubeconfig: {FirstLine(inner.Message)}",
        "Fix the YAML (kubectl config view --kubeconfig <file> shows what kubectl makes of it) or regenerate the " +
        "file with the tool that wrote it.", inner);

    public static MeshException ContextNotFound(string context, IReadOnlyList<string> files, IEnumerable<string> known)
    {
        var names = known.Take(10).ToArray();
        var list = names.Length == 0 ? "none" : string.Join(", ", names);
        return new MeshException(
            "ContextNotFound", MeshErrorCategory.ObjectNotFound, context,
            $"Context '{context}' is not defined in {string.Join(", ", files)}. Contexts found: {list}.",
            "Use one of the listed contexts (Get-MeshCluster lists them all; -Context completes them with Tab), " +
            "or add the kubeconfig file that defines it to -Kubeconfig.");
    }

    public static MeshException NoClusters() => new(
        "NoClusters", MeshErrorCategory.InvalidArgument, null,
        "No cluster was given.",
        "Pipe clusters or an environment into the command (Get-MeshCluster | Get-MeshEnvironment | ...), or pass " +
        "-Context (and -Kubeconfig).");

    internal static string FirstLine(string text)
    {
        var index = text.IndexOfAny(['\r', '\n']);
        return index < 0 ? text : text[..index];
    }
}
