namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// Response bodies as a real kube-apiserver 1.32 returns them (docs/design/kube-api-answers.md §1, §2, §8), trimmed the same
/// way the transcripts trim them; the trimmed-entry strings are kept on purpose, since a reader must skip them.
/// </summary>
internal static class CannedApi
{
    public const string Version = """
        {"major": "1", "minor": "32", "gitVersion": "v1.32.13", "gitCommit": "63adf010aa20e104c0b7043b47f42f50c9f72b17",
         "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.5", "compiler": "gc",
         "platform": "linux/amd64"}
        """;

    public const string CoreV1 = """
        {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
          {"name": "configmaps", "singularName": "configmap", "namespaced": true, "kind": "ConfigMap",
           "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], "shortNames": ["cm"]},
          {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
           "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"]},
          {"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]},
          {"name": "secrets", "singularName": "secret", "namespaced": true, "kind": "Secret",
           "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]},
          {"name": "serviceaccounts/token", "singularName": "", "namespaced": true, "group": "authentication.k8s.io",
           "version": "v1", "kind": "TokenRequest", "verbs": ["create"]},
          {"name": "services", "singularName": "service", "namespaced": true, "kind": "Service",
           "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]},
          {"name": "services/status", "singularName": "", "namespaced": true, "kind": "Service", "verbs": ["get", "patch", "update"]},
          "<trimmed: 28 more> resources (bindings, events, nodes, pods/log, ...)"
        ]}
        """;

    public const string Groups = """
        {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
          {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
           "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}},
          {"name": "networking.istio.io", "versions": [
             {"groupVersion": "networking.istio.io/v1", "version": "v1"},
             {"groupVersion": "networking.istio.io/v1beta1", "version": "v1beta1"},
             {"groupVersion": "networking.istio.io/v1alpha3", "version": "v1alpha3"}],
           "preferredVersion": {"groupVersion": "networking.istio.io/v1", "version": "v1"}},
          "<trimmed: 18 more> groups"
        ]}
        """;

    public const string AppsV1 = """
        {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1", "resources": [
          {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
           "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], "shortNames": ["deploy"]},
          {"name": "deployments/scale", "singularName": "", "namespaced": true, "group": "autoscaling", "version": "v1",
           "kind": "Scale", "verbs": ["get", "patch", "update"]},
          {"name": "deployments/status", "singularName": "", "namespaced": true, "kind": "Deployment", "verbs": ["get", "patch", "update"]}
        ]}
        """;

    public static string IstioNetworking(string version) => $$"""
        {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "networking.istio.io/{{version}}", "resources": [
          {"name": "gateways", "singularName": "gateway", "namespaced": true, "kind": "Gateway",
           "verbs": ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"], "shortNames": ["gw"]}
        ]}
        """;

    public const string Unauthorized = """
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "Unauthorized",
         "reason": "Unauthorized", "code": 401}
        """;

    public const string ForbiddenSecret = """
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": "secrets \"cacerts\" is forbidden: User \"viewer\" cannot get resource \"secrets\" in API group \"\" in the namespace \"istio-system\"",
         "reason": "Forbidden", "details": {"name": "cacerts", "kind": "secrets"}, "code": 403}
        """;

    /// <summary>Discovery answers every test server gives; null for any other path.</summary>
    public static FakeReply? Discovery(FakeRequest request) => request.Path switch
    {
        "/version" => FakeReply.Json(200, Version),
        "/api/v1" => FakeReply.Json(200, CoreV1),
        "/apis" => FakeReply.Json(200, Groups),
        "/apis/apps/v1" => FakeReply.Json(200, AppsV1),
        "/apis/networking.istio.io/v1" => FakeReply.Json(200, IstioNetworking("v1")),
        "/apis/networking.istio.io/v1beta1" => FakeReply.Json(200, IstioNetworking("v1beta1")),
        "/apis/networking.istio.io/v1alpha3" => FakeReply.Json(200, IstioNetworking("v1alpha3")),
        _ when request.Path.StartsWith("/apis/", StringComparison.Ordinal) && request.Path.Count(c => c == '/') == 3 =>
            FakeReply.Json(404, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}"""),
        _ => null,
    };
}
