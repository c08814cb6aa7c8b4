namespace HybridMesh.Lab.Store;

/// <summary>The built-in resources the lab serves, with the discovery facts of a 1.32 API server (docs/design/kube-api-answers.md §1.3, §1.6).</summary>
internal static class BuiltinResources
{
    private static readonly string[] Create = ["create"];
    private static readonly string[] GetPatchUpdate = ["get", "patch", "update"];
    private static readonly string[] NamespaceVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    /// <summary>Group order follows the real server's /apis listing; CRD groups are appended after these.</summary>
    public static readonly string[] GroupOrder =
    [
        "", "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "policy", "rbac.authorization.k8s.io",
        "apiextensions.k8s.io",
    ];

    public static IReadOnlyList<ResourceType> All { get; } = Build();

    private static List<ResourceType> Build()
    {
        var status = (string kind) => new SubresourceType("status", kind, GetPatchUpdate);
        return
        [
            Core("configmaps", "configmap", "ConfigMap", true, ["cm"], hash: "qFsyl6wFWjQ="),
            Core("endpoints", "endpoints", "Endpoints", true, ["ep"], hash: "fWeeMqaN/OA="),
            Core("namespaces", "namespace", "Namespace", false, ["ns"], hash: "Q3oi5N2YM8M=") with
            {
                Verbs = NamespaceVerbs,
                Subresources = [status("Namespace")],
            },
            Core("pods", "pod", "Pod", true, ["po"], ["all"], "xPOwRZ+Yhw8=") with
            {
                Subresources = [new SubresourceType("exec", "PodExecOptions", ["create", "get"]),
                    new SubresourceType("proxy", "PodProxyOptions", ["create", "delete", "get", "patch", "update"]), status("Pod")],
            },
            Core("secrets", "secret", "Secret", true, [], hash: "S6u1pOWzb84="),
            Core("serviceaccounts", "serviceaccount", "ServiceAccount", true, ["sa"], hash: "pbx9ZvyFpBE=") with
            {
                Subresources = [new SubresourceType("token", "TokenRequest", Create, "authentication.k8s.io", "v1")],
            },
            Core("services", "service", "Service", true, ["svc"], ["all"], "0/CO1lhkEBI=") with { Subresources = [status("Service")] },
            Group("apps", "v1", "deployments", "deployment", "Deployment", true, ["deploy"], ["all"], "8aSe+NMegvE=") with
            {
                Subresources = [new SubresourceType("scale", "Scale", GetPatchUpdate, "autoscaling", "v1"), status("Deployment")],
            },
            Review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
            Review("authentication.k8s.io", "tokenreviews", "TokenReview"),
            Review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
            Review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
            Group("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true, ["hpa"], ["all"], "qwQve8ut294=") with
            {
                Subresources = [status("HorizontalPodAutoscaler")],
            },
            Group("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, ["pdb"], [], "EVWiDmWqyJw=") with
            {
                Subresources = [status("PodDisruptionBudget")],
            },
            Group("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, [], [], "48tpQ8gZHFc="),
            Group("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, [], [], "bYE5ZWDrJ44="),
            Group("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, [], [], "eGsCzGH6b1g="),
            Group("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, [], [], "7FuwZcIIItM="),
            Group("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, ["crd", "crds"], [], "esWOhIEPnJo=") with
            {
                Subresources = [status("CustomResourceDefinition")],
            },
        ];
    }

    private static ResourceType Core(string plural, string singular, string kind, bool ns, string[] shortNames, string[]? categories = null, string? hash = null) =>
        Group("", "v1", plural, singular, kind, ns, shortNames, categories ?? [], hash);

    private static ResourceType Group(string group, string version, string plural, string singular, string kind, bool ns, string[] shortNames, string[] categories, string? hash) =>
        new()
        {
            Group = group, Version = version, Plural = plural, Singular = singular, Kind = kind, Namespaced = ns,
            ShortNames = shortNames, Categories = categories, StorageVersionHash = hash,
        };

    /// <summary>Review types are create-only, cluster-scoped and never stored.</summary>
    private static ResourceType Review(string group, string plural, string kind) =>
        new()
        {
            Group = group, Version = "v1", Plural = plural, Singular = "", Kind = kind, Namespaced = false, Verbs = Create,
        };

    public static bool IsReview(ResourceType t) => t.Verbs.Length == 1 && t.Verbs[0] == "create" && t.Plural.EndsWith("reviews", StringComparison.Ordinal);
}
