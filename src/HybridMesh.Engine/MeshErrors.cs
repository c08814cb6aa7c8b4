using HybridMesh.Models;

namespace HybridMesh.Engine;

/// <summary>
/// Every user-facing error the Engine raises, in one place, so ids stay stable and each carries the fix.
/// docs/en-US/about_HybridMesh_Troubleshooting.md lists the same ids; a test keeps the two in step.
/// Messages must never include a token, key or secret value.
/// </summary>
public static class MeshErrors
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

    public static MeshException FleetProjectIdInvalid(string? value) => new(
        "FleetProjectIdInvalid", MeshErrorCategory.InvalidArgument, value,
        string.IsNullOrWhiteSpace(value)
            ? "The fleet project id is empty."
            : $"'{value}' is not a valid Google Cloud project id.",
        "Pass -FleetProjectId with the id of the fleet host project: 6 to 30 characters, lowercase letters, digits " +
        "and hyphens, starting with a letter (gcloud projects list shows it).");

    public static MeshException ProjectNotFound(string projectId) => new(
        "ProjectNotFound", MeshErrorCategory.ObjectNotFound, projectId,
        $"Google Cloud project '{projectId}' was not found, or the caller may not see it.",
        "Check the project id (gcloud projects describe <id>) and that the credentials belong to an account with " +
        "resourcemanager.projects.get on it.");

    public static MeshException PermissionDenied(string resource, string googleMessage) => new(
        "PermissionDenied", MeshErrorCategory.PermissionDenied, resource,
        $"Permission denied on '{resource}': {googleMessage}",
        "Grant the caller a role with the missing permission (for example roles/viewer on the fleet project and " +
        "roles/container.viewer on cluster projects), or pass -AccessToken for an account that has it.");

    public static MeshException CredentialsNotFound(Exception? inner) => new(
        "CredentialsNotFound", MeshErrorCategory.AuthenticationError, null,
        "No Google Cloud credentials were found (application default credentials).",
        "Run 'gcloud auth application-default login', set GOOGLE_APPLICATION_CREDENTIALS to a credential file, or " +
        "pass -AccessToken (ConvertTo-SecureString (gcloud auth print-access-token) -AsPlainText).", inner);

    public static MeshException AuthenticationFailed(string resource, string googleMessage) => new(
        "AuthenticationFailed", MeshErrorCategory.AuthenticationError, resource,
        $"Google Cloud rejected the credentials for '{resource}': {googleMessage}",
        "Refresh the credentials ('gcloud auth application-default login' or a new -AccessToken); access tokens " +
        "expire after about an hour.");

    public static MeshException GoogleApiUnreachable(string endpoint, int attempts, Exception? inner) => new(
        "GoogleApiUnreachable", MeshErrorCategory.ConnectionError, endpoint,
        $"The Google Cloud API at '{endpoint}' did not answer successfully after {attempts} attempts" +
        (inner is null ? "." : $": {FirstLine(inner.Message)}"),
        "Check network access and proxy settings (HTTPS_PROXY), or the endpoint override " +
        "(-ApiEndpoint / HYBRIDMESH_*_ENDPOINT); then run the command again.", inner);

    public static MeshException GoogleApiError(string resource, int status, string googleStatus, string googleMessage) => new(
        "GoogleApiError", MeshErrorCategory.InvalidOperation, resource,
        $"Google Cloud answered {status} {googleStatus} for '{resource}': {googleMessage}",
        "Read the message above; run the command with -Debug to see the request.");

    internal static string FirstLine(string text)
    {
        var index = text.IndexOfAny(['\r', '\n']);
        return index < 0 ? text : text[..index];
    }
}
