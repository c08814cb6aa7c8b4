using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Presets;

/// <summary>
/// What every fresh cluster has: the system namespaces and the bootstrap RBAC that gives every authenticated user
/// discovery and self-review rights and anonymous users /version (docs/design/kube-api-answers.md §8.2), plus cluster-admin and view.
/// </summary>
internal static class BootstrapPreset
{
    public static void Apply(Seeder seeder)
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
            seeder.Apply(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } }, "kube-apiserver");

        ClusterRole(seeder, "cluster-admin",
            Rule(["*"], ["*"], ["*"]),
            new JsonObject { ["verbs"] = Arr("*"), ["nonResourceURLs"] = Arr("*") });
        Binding(seeder, "cluster-admin", "cluster-admin", Group("system:masters"));

        ClusterRole(seeder, "system:discovery", new JsonObject
        {
            ["verbs"] = Arr("get"),
            ["nonResourceURLs"] = Arr("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"),
        });
        Binding(seeder, "system:discovery", "system:discovery", Group("system:authenticated"));

        ClusterRole(seeder, "system:basic-user",
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]));
        Binding(seeder, "system:basic-user", "system:basic-user", Group("system:authenticated"));

        ClusterRole(seeder, "system:public-info-viewer", new JsonObject
        {
            ["verbs"] = Arr("get"), ["nonResourceURLs"] = Arr("/healthz", "/livez", "/readyz", "/version", "/version/"),
        });
        Binding(seeder, "system:public-info-viewer", "system:public-info-viewer", Group("system:authenticated"), Group("system:unauthenticated"));

        ClusterRole(seeder, "system:service-account-issuer-discovery", new JsonObject
        {
            ["verbs"] = Arr("get"), ["nonResourceURLs"] = Arr("/.well-known", "/.well-known/*"),
        });
        Binding(seeder, "system:service-account-issuer-discovery", "system:service-account-issuer-discovery", Group("system:serviceaccounts"));

        ClusterRole(seeder, "view",
            Rule(["get", "list", "watch"], [""], ["configmaps", "endpoints", "namespaces", "pods", "serviceaccounts", "services"]),
            Rule(["get", "list", "watch"], ["apps"], ["deployments"]),
            Rule(["get", "list", "watch"], ["autoscaling"], ["horizontalpodautoscalers"]),
            Rule(["get", "list", "watch"], ["policy"], ["poddisruptionbudgets"]));
    }

    public static JsonArray Arr(params string[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    public static JsonObject Rule(string[] verbs, string[] groups, string[] resources) =>
        new() { ["verbs"] = Arr(verbs), ["apiGroups"] = Arr(groups), ["resources"] = Arr(resources) };

    private static JsonObject Group(string name) =>
        new() { ["kind"] = "Group", ["apiGroup"] = "rbac.authorization.k8s.io", ["name"] = name };

    private static void ClusterRole(Seeder seeder, string name, params JsonObject[] rules) =>
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRole",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
            },
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode?)r).ToArray()),
        }, "kube-apiserver");

    private static void Binding(Seeder seeder, string name, string role, params JsonObject[] subjects) =>
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRoleBinding",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
            },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
            ["subjects"] = new JsonArray(subjects.Select(s => (JsonNode?)s).ToArray()),
        }, "kube-apiserver");
}
