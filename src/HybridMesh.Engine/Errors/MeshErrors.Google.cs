using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>Errors from the Google Cloud side: fleet project, credentials, Resource Manager, GKE, GKE Hub.</summary>
internal static partial class MeshErrors
{
    public static MeshException FleetProjectIdInvalid(string? value) => new(
        "FleetProjectIdInvalid", MeshErrorCategory.InvalidArgument, value,
        string.IsNullOrWhiteSpace(value)
            ? "The fleet project id is empty."
            : $"'{value}' is not a valid Google Cloud project id.",
        "Pass -FleetProjectId with the id of the fleet host project: 6 to 30 characters, lowercase letters, digits " +
        "and hyphens, starting with a letter (gcloud projects list shows it).");

    public static MeshException FleetProjectIdConflict(string first, string other) => new(
        "FleetProjectIdConflict", MeshErrorCategory.InvalidArgument, other,
        $"The pipeline names two fleet projects, '{first}' and '{other}'; one environment belongs to one fleet.",
        "Run Get-MeshEnvironment once per fleet project, or give -FleetProjectId once for all input.");

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

    public static MeshException CredentialFileInvalid(string path, Exception inner) => new(
        "CredentialFileInvalid", MeshErrorCategory.InvalidData, path,
        $"The Google credential file '{path}' cannot be used: {FirstLine(inner.Message)}",
        "Point GOOGLE_APPLICATION_CREDENTIALS at a service-account key or an application-default-credentials " +
        "file, or re-run 'gcloud auth application-default login'.", inner);

    public static MeshException AccessTokenEmpty() => new(
        "AccessTokenEmpty", MeshErrorCategory.InvalidArgument, null,
        "The access token passed with -AccessToken is empty.",
        "Pass -AccessToken (ConvertTo-SecureString (gcloud auth print-access-token) -AsPlainText), or leave it out " +
        "to use application default credentials.");

    public static MeshException GoogleEndpointInvalid(string value, string source) => new(
        "GoogleEndpointInvalid", MeshErrorCategory.InvalidArgument, value,
        $"The Google API endpoint '{value}' (from {source}) is not an absolute http or https URL.",
        "Give the base URL of the API, for example https://cloudresourcemanager.googleapis.com/ or the address of " +
        "a Private Service Connect endpoint.");

    public static MeshException GkeClusterNotFound(string project, string location, string cluster) => new(
        "GkeClusterNotFound", MeshErrorCategory.ObjectNotFound, $"projects/{project}/locations/{location}/clusters/{cluster}",
        $"GKE cluster '{cluster}' was not found in project '{project}', location '{location}'.",
        "Check the kubeconfig context (gke_<project>_<location>_<cluster>) against 'gcloud container clusters list " +
        "--project <project>', or pass the cluster's network with -Network @{ '<context>' = '<network id>' }.");

    public static MeshException GkeClusterLocationUnknown(string context) => new(
        "GkeClusterLocationUnknown", MeshErrorCategory.InvalidArgument, context,
        $"Context '{context}' is a GKE cluster, but its project, location or cluster name is unknown, so its " +
        "network cannot be looked up.",
        $"Pass its network id with -Network @{{ '{context}' = '<project>-<vpc network>' }}, or use the context " +
        "name gcloud writes (gcloud container clusters get-credentials), gke_<project>_<location>_<cluster>.");

    public static MeshException NetworkIdInvalid(string key, string? value) => new(
        "NetworkIdInvalid", MeshErrorCategory.InvalidArgument, key,
        $"The network id '{value}' given for '{key}' is not usable: network ids become Kubernetes label values " +
        "(topology.istio.io/network), so they must be 1-63 letters, digits, '-', '_' or '.', starting and ending " +
        "with a letter or digit.",
        "Fix the value in -Network, for example @{ 'onprem' = 'default' }.");

    public static MeshException MembershipNotFound(string project, string location, string membership) => new(
        "MembershipNotFound", MeshErrorCategory.ObjectNotFound, $"projects/{project}/locations/{location}/memberships/{membership}",
        $"Fleet membership '{membership}' was not found in project '{project}', location '{location}'.",
        "Register the cluster to the fleet ('gcloud container fleet memberships register'), or check the fleet " +
        "project and location ('gcloud container fleet memberships list --project <fleet project>').");

    public static MeshException MembershipExists(string project, string location, string membership) => new(
        "MembershipExists", MeshErrorCategory.ResourceExists, $"projects/{project}/locations/{location}/memberships/{membership}",
        $"Fleet membership '{membership}' already exists in project '{project}', location '{location}'.",
        "Use the existing membership, or choose another membership name.");

    public static MeshException FleetOperationFailed(string operation, int code, string googleMessage) => new(
        "FleetOperationFailed", MeshErrorCategory.InvalidOperation, operation,
        $"Fleet operation '{operation}' failed (code {code}): {FirstLine(googleMessage)}",
        "Read the message above; 'gcloud container fleet operations describe' shows the operation.");

    public static MeshException FleetOperationTimeout(string operation, TimeSpan timeout) => new(
        "FleetOperationTimeout", MeshErrorCategory.OperationTimeout, operation,
        $"Fleet operation '{operation}' did not finish within {timeout.TotalSeconds:0} s.",
        "Run the command again later; the operation continues on Google's side.");

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
        "(-ResourceManagerEndpoint/-ContainerEndpoint/-GkeHubEndpoint, HYBRIDMESH_GOOGLE_API_ENDPOINT or " +
        "HYBRIDMESH_*_ENDPOINT); then run the command again.", inner);

    public static MeshException GoogleApiError(string resource, int status, string googleStatus, string googleMessage) => new(
        "GoogleApiError", MeshErrorCategory.InvalidOperation, resource,
        $"Google Cloud answered {status} {googleStatus} for '{resource}': {googleMessage}",
        "Read the message above; run the command with -Debug to see the request.");
}
