using HybridMesh.Models;

namespace HybridMesh.Engine;

/// <summary>Errors from the Google Cloud side: fleet project, credentials, Resource Manager, GKE, GKE Hub.</summary>
public static partial class MeshErrors
{
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
}
