using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors from talking to a Kubernetes API server. The target is always the kubeconfig context, so a user running
/// against many clusters sees at once which one failed. Server messages are quoted (they name users and objects,
/// never credentials); tokens and plugin output are never included.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException ApiServerUnreachable(string context, string server, string detail, Exception? inner) => new KubeUnreachableException(
        context,
        $"Cannot reach the API server of context '{context}' at '{server}': {detail}",
        "Check that this machine can reach the API server address (VPN, HTTPS_PROXY/NO_PROXY, firewall rules, " +
        "authorized networks on GKE). For a slow link, give each request more time: -RequestTimeoutSec of Get-MeshCluster " +
        "-Detailed, Get-MeshEnvironment, Get-MeshLink, New-Mesh, Remove-Mesh, Update-MeshLinkCredential, Test-MeshPrerequisite or " +
        "Test-MeshConnectivity " +
        "(-TimeoutSec always bounds a named wait, e.g. Install-EastWestGateway's load-balancer wait).", inner);

    public static MeshException ApiServerTlsFailed(string context, string server, string detail, Exception? inner) => new KubeTlsFailedException(
        context,
        $"The TLS connection to the API server of context '{context}' at '{server}' failed: {detail}",
        "Check certificate-authority(-data) and tls-server-name in the kubeconfig; regenerate the kubeconfig " +
        "(for GKE: gcloud container clusters get-credentials) if the cluster's CA was rotated.", inner);

    public static MeshException KubeUnauthorized(string context, string authentication) => new KubeUnauthorizedException(
        context,
        $"The API server of context '{context}' rejected the credentials (401 Unauthorized; authentication: " +
        $"{(string.IsNullOrEmpty(authentication) ? "none" : authentication)}).",
        authentication.Contains("gke-gcloud-auth-plugin", StringComparison.OrdinalIgnoreCase)
            ? "Refresh the Google credentials the gke-gcloud-auth-plugin uses ('gcloud auth login', or " +
              "'gcloud auth application-default login' with --use_application_default_credentials) and re-run " +
              "'gcloud container clusters get-credentials'."
            : "Refresh the credentials in the kubeconfig (a new token or client certificate), or re-run the tool " +
              "that wrote the kubeconfig.");

    public static MeshException KubeForbidden(string context, string verb, string resource, string? ns, string serverMessage) => new KubeForbiddenException(
        context,
        $"Context '{context}' may not {verb} {resource}" + (string.IsNullOrEmpty(ns) ? "" : $" in namespace '{ns}'") +
        $": {serverMessage}",
        $"Grant the kubeconfig's user RBAC permission to {verb} {resource} (for example a RoleBinding or " +
        "ClusterRoleBinding to cluster-admin for the mesh setup), or use a context that has it " +
        $"(kubectl auth can-i {verb} {resource} --context <context> checks it).");

    public static MeshException ExecPluginNotFound(string context, string command, string? installHint)
    {
        var isGke = command.Contains("gke-gcloud-auth-plugin", StringComparison.OrdinalIgnoreCase);
        var action = isGke
            ? "Install the plugin ('gcloud components install gke-gcloud-auth-plugin', or the " +
              "google-cloud-cli-gke-gcloud-auth-plugin package) and make sure it is on PATH for this PowerShell session."
            : "Install the credential plugin and make sure it is on PATH for this PowerShell session.";
        if (!string.IsNullOrWhiteSpace(installHint))
        {
            action += " The kubeconfig says: " + FirstLine(installHint.Trim());
        }

        return new MeshException("ExecPluginNotFound", MeshErrorCategory.NotInstalled, context,
            $"Context '{context}' authenticates with the exec credential plugin '{command}', which was not found.",
            action);
    }

    public static MeshException ExecPluginFailed(string context, string command, string detail, Exception? inner) => new(
        "ExecPluginFailed", MeshErrorCategory.AuthenticationError, context,
        $"The exec credential plugin '{command}' of context '{context}' failed: {detail}",
        command.Contains("gke-gcloud-auth-plugin", StringComparison.OrdinalIgnoreCase)
            ? "Run 'gke-gcloud-auth-plugin' by hand to see its error; usually 'gcloud auth login' (or " +
              "'gcloud auth application-default login') fixes it."
            : $"Run '{command}' by hand with the kubeconfig's arguments to see its error, then fix its login.", inner);

    public static MeshException AuthProviderUnsupported(string context, string provider) => new(
        "AuthProviderUnsupported", MeshErrorCategory.NotInstalled, context,
        $"Context '{context}' uses the removed '{provider}' auth-provider, which current Kubernetes clients cannot use.",
        provider == "gcp"
            ? "Install gke-gcloud-auth-plugin ('gcloud components install gke-gcloud-auth-plugin') and re-run " +
              "'gcloud container clusters get-credentials' to rewrite the context with the exec plugin."
            : "Switch the context to an exec credential plugin (for Azure: kubelogin convert-kubeconfig).");

    public static MeshException KubeKindNotServed(string context, string apiVersion, string kind, IReadOnlyList<string> servedVersions) => new(
        "KubeKindNotServed", MeshErrorCategory.ObjectNotFound, context,
        $"The API server of context '{context}' does not serve {kind} in {apiVersion}" +
        (servedVersions.Count == 0
            ? " (the API group is not served at all)."
            : $" (served versions of the group: {string.Join(", ", servedVersions)})."),
        "Install the component that defines it (for networking.istio.io: the Istio / Cloud Service Mesh control " +
        "plane with its CRDs), or use a served version.");

    public static MeshException KubeNotFound(string context, string what, string serverMessage) => new KubeNotFoundException(
        context,
        $"Context '{context}': {what} failed: {serverMessage}",
        "Create what is missing first (for a namespace: kubectl create namespace <name>), or check the name.");

    public static MeshException KubeAlreadyExists(string context, string what, string serverMessage) => new KubeAlreadyExistsException(
        context,
        $"Context '{context}': {what} failed: {serverMessage}",
        "The object exists already; use it, or delete it first if it must be recreated.");

    public static MeshException KubeConflict(string context, string what, string serverMessage, bool isApply) => new KubeConflictException(
        context,
        $"Context '{context}': {what} failed with a conflict: {serverMessage}",
        isApply
            ? "Another field manager owns fields HybridMesh wants to set. Re-run with -Force to take them over " +
              "(server-side apply force), or change the other tool's configuration."
            : "The object changed while it was being updated; run the command again.");

    public static MeshException KubeInvalid(string context, string what, string serverMessage) => new(
        "KubeInvalid", MeshErrorCategory.InvalidData, context,
        $"Context '{context}': the API server refused {what} as invalid: {serverMessage}",
        "Read the causes above. An immutable field (such as a Deployment selector) can only change by deleting " +
        "and recreating the object.");

    public static MeshException KubeServerError(string context, string what, int status, string serverMessage, int attempts) => new(
        "KubeServerError", MeshErrorCategory.ResourceUnavailable, context,
        $"Context '{context}': {what} failed with {status} after {attempts} attempt(s): {serverMessage}",
        "The API server (or an aggregated API behind it) is overloaded or unavailable; wait and run the command " +
        "again, and check the control plane's health.");

    public static MeshException KubeApiError(string context, string what, int status, string reason, string serverMessage) => new(
        "KubeApiError", MeshErrorCategory.InvalidOperation, context,
        $"Context '{context}': {what} failed with {status} {reason}: {serverMessage}",
        "Read the server's message above; run with -Debug to see the requests.");
}
