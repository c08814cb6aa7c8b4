using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Tests;

/// <summary>Authentication (401), RBAC (403) and self reviews, as docs/design/kube-api-answers.md §8 records them.</summary>
public sealed class AuthTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private static JsonNode Ssar(string verb, string resource, string ns) => JsonNode.Parse($$"""
        {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"{{ns}}","verb":"{{verb}}","resource":"{{resource}}"} } }
        """)!;

    [Fact]
    public async Task Access_review_allows_admin_without_reason_denies_viewer_and_explains_an_rbac_allow()
    {
        using var admin = Kube.For(fx.Gke);
        var a = await admin.Post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Ssar("create", "secrets", "istio-system"));
        Assert.Equal(201, a.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"allowed":true}"""), a.Body!["status"]));
        Assert.True(a.Body["metadata"]!.AsObject().TryGetPropertyValue("creationTimestamp", out var ts) && ts is null);

        using var viewer = Kube.For(fx.Gke, fx.Gke.AddUser("viewer"));
        var v = await viewer.Post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Ssar("create", "secrets", "istio-system"));
        Assert.Equal(201, v.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"allowed":false}"""), v.Body!["status"]));

        using var reader = Kube.For(fx.Gke, fx.Gke.CreateServiceAccountToken("istio-system", "istio-reader-service-account"));
        var r = await reader.Post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Ssar("list", "secrets", "istio-system"));
        Assert.True((bool?)r.Body!["status"]!["allowed"]);
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"istio-reader-clusterrole-asm-1282-4-istio-system\" of ClusterRole \"istio-reader-clusterrole-asm-1282-4-istio-system\" to ServiceAccount \"istio-reader-service-account/istio-system\"",
            (string?)r.Body["status"]!["reason"]);
        var denied = await reader.Post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Ssar("create", "secrets", "istio-system"));
        Assert.False((bool?)denied.Body!["status"]!["allowed"]);
    }

    [Fact]
    public async Task Forbidden_answers_name_user_verb_resource_group_and_scope()
    {
        using var viewer = Kube.For(fx.Gke, fx.Gke.AddUser("viewer"));
        var list = await viewer.Get("/api/v1/namespaces/istio-system/secrets");
        Assert.Equal(403, list.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"secrets is forbidden: User \"viewer\" cannot list resource \"secrets\" in API group \"\" in the namespace \"istio-system\"",
             "reason":"Forbidden","details":{"kind":"secrets"},"code":403}
            """), list.Body), list.Body!.ToJsonString());
        var patch = await viewer.Patch("/apis/networking.istio.io/v1/namespaces/istio-system/gateways/cross-network-gateway?fieldManager=hybridmesh&force=true",
            JsonNode.Parse("""{"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"cross-network-gateway","namespace":"istio-system"}}""")!, Kube.Apply);
        Assert.Equal(403, patch.Code);
        Assert.Equal("gateways.networking.istio.io \"cross-network-gateway\" is forbidden: User \"viewer\" cannot patch resource \"gateways\" in API group \"networking.istio.io\" in the namespace \"istio-system\"",
            (string?)patch.Body!["message"]);
        Assert.Equal("networking.istio.io", (string?)patch.Body["details"]!["group"]);
        Assert.Equal(200, (await viewer.Get("/api")).Code);

        using var anonymous = Kube.For(fx.Gke, "");
        var ns = await anonymous.Get("/api/v1/namespaces");
        Assert.Equal(403, ns.Code);
        Assert.Equal("namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope", (string?)ns.Body!["message"]);
        var api = await anonymous.Get("/api");
        Assert.Equal(403, api.Code);
        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/api\"", (string?)api.Body!["message"]);
        Assert.Equal(200, (await anonymous.Get("/version")).Code);
    }

    [Fact]
    public async Task Bad_token_is_401_without_details_or_challenge()
    {
        using var bad = Kube.For(fx.Gke, "not-a-valid-token");
        var r = await bad.Get("/api/v1/namespaces/istio-system/secrets");
        Assert.Equal(401, r.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}
            """), r.Body));
        Assert.Empty(r.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Rbac_from_stored_role_and_rolebinding_grants_in_one_namespace_only()
    {
        using var admin = Kube.For(fx.OnPrem);
        var ns = await admin.NewNamespace("rbac");
        Assert.Equal(201, (await admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", JsonNode.Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"bot"}}""")!)).Code);
        Assert.Equal(201, (await admin.Post($"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles", JsonNode.Parse("""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"cm-reader"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list"]}]}
            """)!)).Code);
        Assert.Equal(201, (await admin.Post($"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", JsonNode.Parse($$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"bot-reads"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"cm-reader"},
             "subjects":[{"kind":"ServiceAccount","name":"bot","namespace":"{{ns}}"}]}
            """)!)).Code);
        using var bot = Kube.For(fx.OnPrem, fx.OnPrem.CreateServiceAccountToken(ns, "bot"));
        Assert.Equal(200, (await bot.Get($"/api/v1/namespaces/{ns}/configmaps")).Code);
        Assert.Equal(403, (await bot.Get("/api/v1/namespaces/default/configmaps")).Code);
        Assert.Equal(403, (await bot.Get($"/api/v1/namespaces/{ns}/secrets")).Code);
        var review = await bot.Post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Ssar("get", "configmaps", ns));
        Assert.Equal($"RBAC: allowed by RoleBinding \"bot-reads/{ns}\" of Role \"cm-reader\" to ServiceAccount \"bot/{ns}\"", (string?)review.Body!["status"]!["reason"]);

        var rules = await bot.Post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", JsonNode.Parse($$"""{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"{{ns}}"} }""")!);
        Assert.Equal(201, rules.Code);
        Assert.True(JsonNode.DeepEquals(new JsonObject(), rules.Body!["spec"]));
        Assert.Contains(rules.Body["status"]!["resourceRules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "configmaps"));
        Assert.False((bool?)rules.Body["status"]!["incomplete"]);

        // The bound token dies with its ServiceAccount.
        Assert.Equal(200, (await admin.Delete($"/api/v1/namespaces/{ns}/serviceaccounts/bot")).Code);
        Assert.Equal(401, (await bot.Get($"/api/v1/namespaces/{ns}/configmaps")).Code);
    }

    [Fact]
    public async Task Expired_bound_token_is_401()
    {
        var token = fx.Gke.CreateServiceAccountToken("istio-system", "istio-reader-service-account", TimeSpan.FromSeconds(-1));
        using var k = Kube.For(fx.Gke, token);
        Assert.Equal(401, (await k.Get("/api/v1/namespaces/istio-system/configmaps")).Code);
    }

    [Fact]
    public async Task A_legacy_token_marked_invalid_since_is_401_until_the_label_is_removed()
    {
        using var admin = Kube.For(fx.OnPrem);
        var ns = await admin.NewNamespace("legacy");
        Assert.Equal(201, (await admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", JsonNode.Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"old"}}""")!)).Code);
        Assert.Equal(201, (await admin.Post($"/api/v1/namespaces/{ns}/secrets", JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token",
             "metadata":{"name":"old-token","annotations":{"kubernetes.io/service-account.name":"old"}}}
            """)!)).Code);
        string? token = null;
        for (var i = 0; i < 100 && token is null; i++)
        {
            var secret = await admin.Get($"/api/v1/namespaces/{ns}/secrets/old-token");
            if ((string?)secret.Body!["data"]?["token"] is { } b64) token = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            else await Task.Delay(20);
        }

        using var old = Kube.For(fx.OnPrem, token!);
        Assert.Equal(200, (await old.Get("/api")).Code);
        const string label = "kubernetes.io/legacy-token-invalid-since";
        Assert.Equal(200, (await admin.Patch($"/api/v1/namespaces/{ns}/secrets/old-token",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [label] = "2026-01-01" } } }, Kube.Merge)).Code);
        var rejected = await old.Get("/api");
        Assert.Equal(401, rejected.Code);
        Assert.Equal("Unauthorized", (string?)rejected.Body!["reason"]);
        Assert.Equal(200, (await admin.Patch($"/api/v1/namespaces/{ns}/secrets/old-token",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [label] = null } } }, Kube.Merge)).Code);
        Assert.Equal(200, (await old.Get("/api")).Code);
    }
}
