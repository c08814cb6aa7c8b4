using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors from rendering manifests (east-west gateway, cross-network Gateway, remote secret, reader RBAC): the input
/// cannot produce a valid Kubernetes object. Raised before anything touches a cluster. No message here may carry a
/// token: remote-secret errors name the cluster, never the credential.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException NetworkInvalid(string? value) => new(
        "NetworkInvalid", MeshErrorCategory.InvalidArgument, value,
        string.IsNullOrEmpty(value)
            ? "No network id was given for the east-west gateway."
            : $"'{value}' is not a valid network id: it must be a Kubernetes label value (at most 63 characters; " +
              "letters, digits, '-', '_' and '.'; starting and ending with a letter or digit).",
        "Pass -Network with the cluster's network id, exactly as the istio-system namespace label " +
        "topology.istio.io/network shows it (kubectl get namespace istio-system -L topology.istio.io/network); " +
        "asmcli uses <project id>-<VPC network> on GKE and 'default' elsewhere.");

    public static MeshException RevisionInvalid(string value) => new(
        "RevisionInvalid", MeshErrorCategory.InvalidArgument, value,
        $"'{value}' is not a valid control-plane revision: it must be a DNS-1123 label (lowercase letters, digits " +
        "and '-', at most 63 characters, starting and ending with a letter or digit).",
        "Pass -Revision with the revision of the installed control plane, e.g. asm-1282-4 (kubectl get pods -n " +
        "istio-system -l app=istiod -L istio.io/rev shows it), or omit it for an unrevisioned control plane.");

    public static MeshException NamespaceInvalid(string? value) => new(
        "NamespaceInvalid", MeshErrorCategory.InvalidArgument, value,
        $"'{value}' is not a valid namespace name (DNS-1123 label: lowercase letters, digits and '-', at most 63 " +
        "characters).",
        "Pass the namespace the Istio control plane runs in, normally istio-system.");

    public static MeshException MeshIdInvalid(string value) => new(
        "MeshIdInvalid", MeshErrorCategory.InvalidArgument, value,
        $"'{value}' is not a valid mesh id: it is stored as a label value (at most 63 characters; letters, digits, " +
        "'-', '_' and '.').",
        "Pass the mesh id as proj-<fleet project number> (Get-MeshEnvironment reports it), or omit it.");

    public static MeshException ReplicaBoundsInvalid(int min, int max) => new(
        "ReplicaBoundsInvalid", MeshErrorCategory.InvalidArgument, $"{min}..{max}",
        $"Replica bounds {min}..{max} are not valid for the gateway autoscaler.",
        "Use 1 <= -MinReplicas <= -MaxReplicas (defaults 1 and 5).");

    public static MeshException IpAddressInvalid(string parameter, string value) => new(
        "IpAddressInvalid", MeshErrorCategory.InvalidArgument, value,
        $"'{value}' given for {parameter} is not an IPv4 or IPv6 address.",
        $"Pass {parameter} as literal addresses such as 10.0.0.10 or fd00::10 (no host names, ports or prefixes).");

    public static MeshException ServiceTypeConflict(string setting, GatewayServiceType type) => new(
        "ServiceTypeConflict", MeshErrorCategory.InvalidArgument, setting,
        $"{setting} only applies to a Service of type LoadBalancer, but the gateway Service type is {type}.",
        $"Drop {setting}, or use -ServiceType LoadBalancer.");

    public static MeshException AnnotationInvalid(string key, string reason) => new(
        "AnnotationInvalid", MeshErrorCategory.InvalidArgument, key,
        $"Service annotation '{key}' cannot be used: {reason}",
        "Use annotation keys of the form [prefix/]name (prefix a DNS subdomain, name at most 63 characters of " +
        "letters, digits, '-', '_' and '.'), and do not contradict -InternalLoadBalancer.");

    public static MeshException ImagePullSecretInvalid(string value) => new(
        "ImagePullSecretInvalid", MeshErrorCategory.InvalidArgument, value,
        $"'{value}' is not a valid Secret name for imagePullSecrets.",
        "Pass the names of docker-registry Secrets that exist in the gateway namespace (lowercase DNS names).");

    public static MeshException GatewayCrdMissing(string cluster, IEnumerable<string> served)
    {
        var list = string.Join(", ", served);
        return new MeshException(
            "GatewayCrdMissing", MeshErrorCategory.NotInstalled, cluster,
            $"Cluster '{cluster}' serves no known version of networking.istio.io Gateway (v1, v1beta1, v1alpha3)" +
            (list.Length == 0 ? "." : $"; it serves only: {list}."),
            "Install Cloud Service Mesh / Istio on this cluster first (asmcli install, or istioctl install), so that " +
            "the Istio CRDs exist: kubectl get crd gateways.networking.istio.io.");
    }

    public static MeshException GatewayHostInvalid(string host) => new(
        "GatewayHostInvalid", MeshErrorCategory.InvalidArgument, host,
        $"'{host}' is not a valid Gateway host: expected [namespace/]name where name is '*', '*.suffix' or a DNS " +
        "name in lowercase.",
        "Use hosts such as *.local (every service), *.svc.cluster.local, or sample/*.local to limit the exposure.");

    public static MeshException ClusterNameInvalid(string? value) => new(
        "ClusterNameInvalid", MeshErrorCategory.InvalidArgument, value,
        $"'{value}' is not a valid Istio cluster name for a remote secret: it must be a DNS-1123 label (lowercase " +
        "letters, digits and '-', at most 63 characters).",
        "Use the remote cluster's configured cluster name (istiod env CLUSTER_ID / values.global.multiCluster." +
        "clusterName, e.g. cn-<project>-<location>-<cluster>), which istiod uses for routing.");

    public static MeshException ServerUrlInvalid(string cluster, string? server) => new(
        "ServerUrlInvalid", MeshErrorCategory.InvalidArgument, cluster,
        $"The API server address '{RedactUserInfo(server)}' for cluster '{cluster}' is not an absolute http(s) URL.",
        "Pass -ServerOverride with the address istiod in the other clusters should use, e.g. https://10.0.0.2:443.");

    public static MeshException CertificateAuthorityMissing(string cluster) => new(
        "CertificateAuthorityMissing", MeshErrorCategory.InvalidData, cluster,
        $"No cluster CA certificate (ca.crt of the reader token Secret) is available for cluster '{cluster}'.",
        "Wait until the token controller has filled the Secret istio-reader-service-account-istio-remote-secret-" +
        "token (keys ca.crt and token) in istio-system, then run the command again.");

    public static MeshException ServiceAccountTokenMissing(string cluster) => new(
        "ServiceAccountTokenMissing", MeshErrorCategory.InvalidData, cluster,
        $"No service-account token is available for the remote secret of cluster '{cluster}'.",
        "Check that the Secret istio-reader-service-account-istio-remote-secret-token in istio-system is of type " +
        "kubernetes.io/service-account-token and references istio-reader-service-account, and that the token " +
        "controller is running (kube-controller-manager).");

    /// <summary>A server URL may embed user:password; never echo that part.</summary>
    internal static string RedactUserInfo(string? server)
    {
        if (server is null)
        {
            return "";
        }

        var at = server.IndexOf('@');
        var scheme = server.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? server[..(scheme + 3)] + "***" + server[at..] : server;
    }
}
