using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors of New-Mesh / Remove-Mesh (runbook step 5). Targets are kubeconfig contexts or link names
/// ("source -> target"); messages never hold a token.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException MeshIstioNotInstalled(string context) => new(
        "MeshIstioNotInstalled", MeshErrorCategory.NotInstalled, context,
        $"Context '{context}' has no istiod Deployment in istio-system, so it has no Istio cluster name and no " +
        "istiod to read remote secrets.",
        "Install Cloud Service Mesh on the cluster first (asmcli install, or the Fleet console's managed control " +
        "plane), then re-run New-Mesh; Get-MeshCluster -Detailed shows the Istio revisions a cluster runs.");

    public static MeshException MeshClusterNameMissing(string context) => new(
        "MeshClusterNameMissing", MeshErrorCategory.InvalidData, context,
        $"istiod in context '{context}' has no CLUSTER_ID environment variable, so its Istio cluster name is unknown.",
        "Set values.global.multiCluster.clusterName in the IstioOperator (asmcli install sets cn-<project>-<location>-<cluster>) and re-install.");

    public static MeshException MeshClusterNameDuplicate(string clusterName, IEnumerable<string> contexts) => new(
        "MeshClusterNameDuplicate", MeshErrorCategory.InvalidData, clusterName,
        $"The Istio cluster name '{clusterName}' is used by several clusters ({string.Join(", ", contexts)}). " +
        "Remote secrets are keyed by it, so istiod would ignore all but one of them.",
        "Give each cluster its own values.global.multiCluster.clusterName (istiod CLUSTER_ID) and re-install Istio on all but one.");

    public static MeshException MeshNetworkShared(string network, IEnumerable<string> contexts) => new(
        "MeshNetworkShared", MeshErrorCategory.InvalidData, network,
        $"The clusters {string.Join(", ", contexts)} resolve to the same network '{network}'. istiod would send " +
        "traffic straight to pod IPs of the other cluster instead of its east-west gateway, which silently fails " +
        "across separate networks.",
        "Label istio-system with distinct topology.istio.io/network values (Get-MeshEnvironment -Network), or pass " +
        "-AllowSharedNetwork when the pods really share one flat network.");

    public static MeshException MeshRootMissing(string context) => new(
        "MeshRootMissing", MeshErrorCategory.InvalidData, context,
        $"Context '{context}' has no root certificate in istio-system/istio-ca-root-cert or istio-system/cacerts, " +
        "so a shared root of trust cannot be verified.",
        "Check that istiod runs (it writes istio-ca-root-cert) and that the plug-in CA Secret cacerts holds root-cert.pem.");

    public static MeshException MeshRootMismatch(IReadOnlyDictionary<string, string[]> rootsByContext) => new(
        "MeshRootMismatch", MeshErrorCategory.InvalidData, string.Join(", ", rootsByContext.Keys),
        "The clusters do not share a root certificate, so mTLS between them would fail: " +
        string.Join("; ", rootsByContext.Select(p => $"{p.Key}: {string.Join(" ", p.Value)}")) + " (SHA-256).",
        "Install the same root in every cluster: create Secret cacerts in istio-system from one root (ca-cert.pem, " +
        "ca-key.pem, root-cert.pem, cert-chain.pem), restart istiod, then re-run New-Mesh.");

    public static MeshException MeshFleetProjectMissing() => new(
        "MeshFleetProjectMissing", MeshErrorCategory.InvalidArgument, null,
        "No fleet project is known, so fleet membership cannot be checked.",
        "Pass -FleetProjectId, pipe an environment from Get-MeshEnvironment, or use -SkipFleetCheck.");

    public static MeshException MeshMembershipOtherFleet(string context, string ownerId, string fleetProject) => new(
        "MeshMembershipOtherFleet", MeshErrorCategory.InvalidData, context,
        $"Context '{context}' is registered as '{ownerId}', not in fleet project '{fleetProject}'.",
        $"Unregister it from that fleet (gcloud container fleet memberships unregister) and register it in " +
        $"'{fleetProject}', or use that project as the fleet project.");

    public static MeshException MeshMembershipNotReady(string context, string membership, string state) => new(
        "MeshMembershipNotReady", MeshErrorCategory.ResourceUnavailable, context,
        $"The fleet membership '{membership}' of context '{context}' is {state}, not READY.",
        "Wait for the membership to become READY (gcloud container fleet memberships describe), or check the " +
        "Connect agent in namespace gke-connect for on-prem clusters, then re-run.");

    public static MeshException MeshMembershipMissing(string context, string membership) => new(
        "MeshMembershipMissing", MeshErrorCategory.ObjectNotFound, context,
        $"Context '{context}' names the fleet membership '{membership}', which GKE Hub does not know.",
        "Re-register the cluster (gcloud container fleet memberships register) and re-run.");

    public static MeshException MeshGkeNotRegistered(string context, string fleetProject) => new(
        "MeshGkeNotRegistered", MeshErrorCategory.ObjectNotFound, context,
        $"The GKE cluster of context '{context}' is not a member of fleet '{fleetProject}' (-SkipRegistration was given).",
        "Run New-Mesh without -SkipRegistration to register it, or: gcloud container fleet memberships register " +
        $"<name> --gke-uri=<cluster URI> --enable-workload-identity --project={fleetProject}.");

    public static MeshException MeshOnPremNotRegistered(string context, string fleetProject, string kubeconfig) => new(
        "MeshOnPremNotRegistered", MeshErrorCategory.ObjectNotFound, context,
        $"The on-prem cluster of context '{context}' is not a member of fleet '{fleetProject}'. On-prem " +
        "registration installs the Connect agent, which New-Mesh cannot do.",
        $"Register it: gcloud container fleet memberships register <membership> --context={context} " +
        $"--kubeconfig={kubeconfig} --enable-workload-identity --project={fleetProject}; then re-run New-Mesh.");

    public static MeshException MeshChecksFailed(int failures) => new(
        "MeshChecksFailed", MeshErrorCategory.InvalidData, null,
        $"{failures} pre-flight check(s) failed (see the errors above); nothing was changed.",
        "Fix the reported problems and re-run New-Mesh.");

    public static MeshException MeshLinkClusterUnreachable(string link, string context, string detail, Exception? inner) => new(
        "MeshLinkClusterUnreachable", MeshErrorCategory.ConnectionError, link,
        $"Link {link} was not wired: cluster '{context}' could not be read ({detail})",
        "Make the API server reachable (see ApiServerUnreachable) and re-run New-Mesh; the other links are not affected.", inner);

    public static MeshException MeshLinkFailed(string link, string detail, Exception? inner) => new(
        "MeshLinkFailed", MeshErrorCategory.InvalidOperation, link,
        $"Link {link} failed: {detail}",
        "Re-run New-Mesh (it only changes what differs); if it fails again, see the error id named in the message.", inner);

    public static MeshException MeshReaderTokenNotIssued(string context, string secret, TimeSpan waited) => new(
        "MeshReaderTokenNotIssued", MeshErrorCategory.OperationTimeout, context,
        $"Context '{context}': the token controller did not fill Secret istio-system/{secret} within {waited.TotalSeconds:0} s.",
        "Check that kube-controller-manager runs its token controller (legacy service-account token Secrets), then re-run.");

    public static MeshException MeshStaleRemoteSecret(string targetContext, string secret, string current, string clusterName) => new(
        "MeshStaleRemoteSecret", MeshErrorCategory.ResourceExists, targetContext,
        $"Context '{targetContext}' holds Secret istio-system/{secret} for cluster '{clusterName}' as well as the " +
        $"current remote secret istio-system/{current}; istiod loads a cluster only once and may pick the stale one.",
        "Re-run New-Mesh with -RemoveStale to delete it.");
}
