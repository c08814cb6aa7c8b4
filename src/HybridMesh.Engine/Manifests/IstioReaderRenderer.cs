using System.Text.Json.Nodes;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// The identity a remote istiod uses to read this cluster (docs/design/remote-secrets.md): ServiceAccount istio-reader-service-account,
/// its ClusterRole/ClusterRoleBinding, and a legacy token Secret the token controller fills with ca.crt and token.
/// Istio's base and istiod charts normally install the first three; they are rendered here for clusters where they are
/// missing (istioctl create-remote-secret creates them the same way). Callers should create them only when absent:
/// applying over chart-owned objects would move them under this module's managed-by label, and uninstall would then
/// delete what the Istio install owns.
/// </summary>
internal static class IstioReaderRenderer
{
    public const string ServiceAccountName = "istio-reader-service-account";
    public const string TokenSecretName = ServiceAccountName + "-istio-remote-secret-token";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";
    public const string TokenSecretType = "kubernetes.io/service-account-token";

    /// <summary>istio-reader-clusterrole-[revision-]namespace, the name the istiod chart gives both ClusterRole and binding.</summary>
    public static string ClusterRoleName(string? revision, string ns = IstioNames.SystemNamespace) =>
        string.IsNullOrEmpty(revision)
            ? $"istio-reader-clusterrole-{ns}"
            : $"istio-reader-clusterrole-{revision}-{ns}";

    /// <summary>ServiceAccount, ClusterRole, ClusterRoleBinding, token Secret — in apply order.</summary>
    public static IReadOnlyList<JsonObject> Render(string? revision, string ns = IstioNames.SystemNamespace)
    {
        var rev = string.IsNullOrEmpty(revision) ? null : revision;
        if (rev is not null && !KubeNames.IsDns1123Label(rev))
        {
            throw MeshErrors.RevisionInvalid(rev);
        }

        if (!KubeNames.IsDns1123Label(ns))
        {
            throw MeshErrors.NamespaceInvalid(ns);
        }

        var roleName = ClusterRoleName(rev, ns);
        var labels = new KeyValuePair<string, string>[] { new("app", "istio-reader") };
        return
        [
            new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ServiceAccount",
                ["metadata"] = ManifestObjects.Metadata(ServiceAccountName, ns, labels),
            },
            new JsonObject
            {
                ["apiVersion"] = "rbac.authorization.k8s.io/v1",
                ["kind"] = "ClusterRole",
                ["metadata"] = ManifestObjects.Metadata(roleName, null, labels),
                ["rules"] = Rules(),
            },
            new JsonObject
            {
                ["apiVersion"] = "rbac.authorization.k8s.io/v1",
                ["kind"] = "ClusterRoleBinding",
                ["metadata"] = ManifestObjects.Metadata(roleName, null, labels),
                ["roleRef"] = new JsonObject
                {
                    ["apiGroup"] = "rbac.authorization.k8s.io",
                    ["kind"] = "ClusterRole",
                    ["name"] = roleName,
                },
                ["subjects"] = new JsonArray(new JsonObject
                {
                    ["kind"] = "ServiceAccount",
                    ["name"] = ServiceAccountName,
                    ["namespace"] = ns,
                }),
            },
            RenderTokenSecret(ns),
        ];
    }

    /// <summary>
    /// The token Secret alone. It has no data: Kubernetes' token controller fills ca.crt and token because of the type
    /// and the service-account annotation. Deleting it revokes every remote secret built from its token.
    /// </summary>
    public static JsonObject RenderTokenSecret(string ns = IstioNames.SystemNamespace)
    {
        if (!KubeNames.IsDns1123Label(ns))
        {
            throw MeshErrors.NamespaceInvalid(ns);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = ManifestObjects.Metadata(TokenSecretName, ns, [],
                [new(ServiceAccountNameAnnotation, ServiceAccountName)]),
            ["type"] = TokenSecretType,
        };
    }

    // Read access to Istio config and to the workloads istiod turns into endpoints; create on the review APIs so
    // istiod can validate tokens of that cluster's workloads. Same rules as the istiod chart's reader ClusterRole.
    private static JsonArray Rules() => new(
        Rule(["config.istio.io", "security.istio.io", "networking.istio.io", "authentication.istio.io",
            "rbac.istio.io", "telemetry.istio.io", "extensions.istio.io"], ["*"], Read),
        Rule([""], ["endpoints", "pods", "services", "nodes", "replicationcontrollers", "namespaces", "secrets",
            "configmaps"], Read),
        Rule(["networking.istio.io"], ["workloadentries"], Read),
        Rule(["networking.x-k8s.io", "gateway.networking.k8s.io"], ["gateways"], Read),
        Rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], Read),
        Rule(["discovery.k8s.io"], ["endpointslices"], Read),
        Rule(["multicluster.x-k8s.io"], ["serviceexports"], [.. Read, "create", "delete"]),
        Rule(["multicluster.x-k8s.io"], ["serviceimports"], Read),
        Rule(["apps"], ["replicasets"], Read),
        Rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
        Rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]));

    private static readonly string[] Read = ["get", "list", "watch"];

    private static JsonObject Rule(string[] groups, string[] resources, string[] verbs) => new()
    {
        ["apiGroups"] = ManifestObjects.Strings(groups),
        ["resources"] = ManifestObjects.Strings(resources),
        ["verbs"] = ManifestObjects.Strings(verbs),
    };
}
