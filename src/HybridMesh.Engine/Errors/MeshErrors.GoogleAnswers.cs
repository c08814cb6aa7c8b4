using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors read from what Google's answers say in detail (ErrorInfo reasons, list gaps) and from the registration
/// preconditions asmcli and gcloud check (docs/design/google-rest.md, docs/design/fleet-registration.md).
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException GoogleServiceDisabled(string resource, string service, string project,
        string googleMessage) => new(
        "GoogleServiceDisabled", MeshErrorCategory.NotInstalled, resource,
        $"The API {service} is not enabled in project '{project}' (403 SERVICE_DISABLED for '{resource}'): " +
        FirstLine(googleMessage),
        $"Enable it: gcloud services enable {service} --project {project}; then wait a few minutes and run the " +
        "command again.");

    public static MeshException GoogleTokenScopeInsufficient(string resource, string googleMessage) => new(
        "GoogleTokenScopeInsufficient", MeshErrorCategory.AuthenticationError, resource,
        $"The access token lacks the OAuth scope for '{resource}' (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT): " +
        FirstLine(googleMessage),
        "Use credentials with the https://www.googleapis.com/auth/cloud-platform scope: run 'gcloud auth " +
        "application-default login' (or pass -AccessToken from 'gcloud auth print-access-token'); on a Compute " +
        "Engine VM, give the VM the cloud-platform access scope.");

    public static MeshException GoogleIamPermissionDenied(string resource, string? permission, string googleMessage) => new(
        "GoogleIamPermissionDenied", MeshErrorCategory.PermissionDenied, resource,
        $"The caller lacks the IAM permission {permission ?? "(not named)"} on '{resource}': {FirstLine(googleMessage)}",
        permission is null
            ? "Grant the caller a role with the missing permission on the project, or pass -AccessToken for an account that has it."
            : $"Grant the caller a role that contains {permission} on the project (gcloud iam roles list shows them; " +
              "roles/gkehub.admin for gkehub.*, roles/container.viewer for container.clusters.get), or pass " +
              "-AccessToken for an account that has it.");

    /// <summary>Resource Manager answers 403, not 404, for a project that does not exist (docs/design/google-rest.md).</summary>
    public static MeshException ProjectNotFoundOrHidden(string projectId, string googleMessage) => new(
        "ProjectNotFound", MeshErrorCategory.ObjectNotFound, projectId,
        $"Google Cloud project '{projectId}' does not exist or you may not read it (Resource Manager answers 403 for " +
        $"both): {FirstLine(googleMessage)}",
        "Check the project id (gcloud projects describe <id>) and that the credentials belong to an account with " +
        "resourcemanager.projects.get on it (roles/browser or roles/viewer).");

    public static MeshException FleetLocationsUnreachable(string project, IReadOnlyList<string> locations) => new(
        "FleetLocationsUnreachable", MeshErrorCategory.ResourceUnavailable, $"projects/{project}/locations/-/memberships",
        $"GKE Hub could not list the memberships of fleet '{project}' in {string.Join(", ", locations)}; the list " +
        "is incomplete, so whether the cluster is registered cannot be decided.",
        "Run the command again in a few minutes; 'gcloud container fleet memberships list --project " + project +
        "' shows the same gap while it lasts.");

    public static MeshException FleetMembershipNamesTaken(string context, string project, IReadOnlyList<string> tried) => new(
        "FleetMembershipNamesTaken", MeshErrorCategory.ResourceExists, context,
        $"Context '{context}' cannot be registered in fleet '{project}': the membership names {string.Join(", ", tried)} " +
        "are all taken by other clusters.",
        "Delete stale memberships ('gcloud container fleet memberships list --project " + project + "', then " +
        "'gcloud container fleet memberships delete NAME'), or register the cluster yourself with " +
        "'gcloud container fleet memberships register NAME --gke-cluster LOCATION/CLUSTER --enable-workload-identity'.");

    public static MeshException GkeWorkloadIdentityDisabled(string context, string project, string location,
        string cluster) => new(
        "GkeWorkloadIdentityDisabled", MeshErrorCategory.InvalidOperation,
        $"projects/{project}/locations/{location}/clusters/{cluster}",
        $"GKE cluster '{cluster}' (context '{context}') has no Workload Identity pool " +
        "(workloadIdentityConfig.workloadPool is empty), so it cannot be registered to the fleet with its issuer.",
        $"Enable Workload Identity: gcloud container clusters update {cluster} --location {location} --project " +
        $"{project} --workload-pool={project}.svc.id.goog; then run the command again.");
}
