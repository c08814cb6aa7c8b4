using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Tests;

/// <summary>Token controller and TokenRequest (docs/design/kube-api-answers.md §7), load balancers (§6), Deployment availability.</summary>
public sealed class ControllerTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private static JsonNode TokenSecret(string name, string? sa) => JsonNode.Parse($$"""
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"{{name}}"{{(sa is null ? "" : $$""","annotations":{"kubernetes.io/service-account.name":"{{sa}}"}""")}}},
         "type":"kubernetes.io/service-account-token"}
        """)!;

    [Fact]
    public async Task Token_secret_is_returned_unfilled_then_filled_by_the_controller_and_its_token_authenticates()
    {
        using var k = Kube.For(fx.Gke);
        var name = "reader-" + Guid.NewGuid().ToString("N")[..6];
        var created = await k.Post("/api/v1/namespaces/istio-system/secrets", TokenSecret(name, "istio-reader-service-account"));
        Assert.Equal(201, created.Code);
        Assert.Null(created.Body!["data"]);
        Assert.Null(created.Body["metadata"]!["annotations"]!["kubernetes.io/service-account.uid"]);

        JsonNode? filled = null;
        await Kube.Eventually(async () =>
        {
            filled = (await k.Get($"/api/v1/namespaces/istio-system/secrets/{name}")).Body;
            return filled?["data"]?["token"] is not null;
        }, "token controller");
        Assert.Equal("istio-system", Encoding.UTF8.GetString(Convert.FromBase64String((string)filled!["data"]!["namespace"]!)));
        Assert.Equal(fx.Gke.CaCertificatePem, Encoding.UTF8.GetString(Convert.FromBase64String((string)filled["data"]!["ca.crt"]!)));
        Assert.Contains(filled["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "kube-controller-manager");
        var token = Encoding.UTF8.GetString(Convert.FromBase64String((string)filled["data"]!["token"]!));
        var claims = JsonNode.Parse(HybridMesh.Lab.Auth.TokenIssuer.FromBase64Url(token.Split('.')[1]))!;
        Assert.Equal("kubernetes/serviceaccount", (string?)claims["iss"]);
        Assert.Null(claims["exp"]);
        Assert.Equal("system:serviceaccount:istio-system:istio-reader-service-account", (string?)claims["sub"]);

        using var reader = Kube.For(fx.Gke, token);
        var who = await reader.Post("/apis/authentication.k8s.io/v1/selfsubjectreviews", JsonNode.Parse("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""")!);
        Assert.Equal(201, who.Code);
        Assert.Equal("system:serviceaccount:istio-system:istio-reader-service-account", (string?)who.Body!["status"]!["userInfo"]!["username"]);
        Assert.Equal(200, (await reader.Get("/api/v1/namespaces/istio-system/secrets")).Code);
        // Using a legacy token labels its Secret with the day (a real write by kube-apiserver, docs/design/kube-api-answers.md §7.4).
        var used = await k.Get($"/api/v1/namespaces/istio-system/secrets/{name}");
        var day = (string?)used.Body!["metadata"]!["labels"]!["kubernetes.io/legacy-token-last-used"];
        Assert.Contains(day, new[] { DateTime.UtcNow.ToString("yyyy-MM-dd"), DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd") }); // midnight-safe
        Assert.Contains(used.Body["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "kube-apiserver");

        // Deleting the token Secret revokes the token.
        Assert.Equal(200, (await k.Delete($"/api/v1/namespaces/istio-system/secrets/{name}")).Code);
        Assert.Equal(401, (await reader.Get("/api/v1/namespaces/istio-system/secrets")).Code);
    }

    [Fact]
    public async Task Token_secret_for_a_missing_service_account_is_deleted_and_one_without_annotation_is_422()
    {
        using var k = Kube.For(fx.Gke);
        Assert.Equal(201, (await k.Post("/api/v1/namespaces/istio-system/secrets", TokenSecret("tok-missing-sa", "no-such-sa"))).Code);
        await Kube.Eventually(async () => (await k.Get("/api/v1/namespaces/istio-system/secrets/tok-missing-sa")).Code == 404, "secret deletion");

        var noAnnotation = await k.Post("/api/v1/namespaces/istio-system/secrets", TokenSecret("tok-noannot", null));
        Assert.Equal(422, noAnnotation.Code);
        Assert.Equal("Secret \"tok-noannot\" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value", (string?)noAnnotation.Body!["message"]);
        Assert.Equal("FieldValueRequired", (string?)noAnnotation.Body["details"]!["causes"]![0]!["reason"]);
    }

    [Fact]
    public async Task TokenRequest_gives_a_bound_token_with_the_recorded_claims_and_validates_expiry()
    {
        using var k = Kube.For(fx.OnPrem);
        var r = await k.Post("/api/v1/namespaces/istio-system/serviceaccounts/istio-reader-service-account/token",
            JsonNode.Parse("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}""")!);
        Assert.Equal(201, r.Code);
        Assert.Null(r.Body!["metadata"]!["uid"]);
        Assert.Equal("token", (string?)r.Body["metadata"]!["managedFields"]![0]!["subresource"]);
        Assert.Equal("https://kubernetes.default.svc.cluster.local", (string?)r.Body["spec"]!["audiences"]![0]);
        var token = (string)r.Body["status"]!["token"]!;
        var claims = JsonNode.Parse(HybridMesh.Lab.Auth.TokenIssuer.FromBase64Url(token.Split('.')[1]))!;
        Assert.Equal(3600, (long)claims["exp"]! - (long)claims["iat"]!);
        Assert.Equal("istio-reader-service-account", (string?)claims["kubernetes.io"]!["serviceaccount"]!["name"]);
        using var bound = Kube.For(fx.OnPrem, token);
        var who = await bound.Post("/apis/authentication.k8s.io/v1/selfsubjectreviews", JsonNode.Parse("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""")!);
        Assert.Equal($"JTI={(string?)claims["jti"]}", (string?)who.Body!["status"]!["userInfo"]!["extra"]!["authentication.kubernetes.io/credential-id"]![0]);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:istio-system", "system:authenticated"],
            who.Body["status"]!["userInfo"]!["groups"]!.AsArray().Select(g => (string)g!).ToArray());

        var missing = await k.Post("/api/v1/namespaces/istio-system/serviceaccounts/nobody/token", JsonNode.Parse("""{"spec":{}}""")!);
        Assert.Equal(404, missing.Code);
        Assert.Equal("serviceaccounts \"nobody\" not found", (string?)missing.Body!["message"]);
        var shortLived = await k.Post("/api/v1/namespaces/istio-system/serviceaccounts/istio-reader-service-account/token", JsonNode.Parse("""{"spec":{"expirationSeconds":60}}""")!);
        Assert.Equal(422, shortLived.Code);
        Assert.Equal("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes", (string?)shortLived.Body!["message"]);
    }

    private static JsonNode LbService(string name, string? externalIp = null)
    {
        var svc = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{},
             "spec":{"type":"LoadBalancer","selector":{"istio":"eastwestgateway"},"ports":[{"name":"tls","port":15443}]}}
            """)!;
        svc["metadata"]!["name"] = name;
        if (externalIp is not null) svc["spec"]!["externalIPs"] = new JsonArray(externalIp);
        return svc;
    }

    [Fact]
    public async Task LoadBalancer_service_gets_node_ports_then_an_address_after_the_delay()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("lb");
        var created = await k.Post($"/api/v1/namespaces/{ns}/services", LbService("ewgw"));
        Assert.Equal(201, created.Code);
        Assert.NotNull(created.Body!["spec"]!["ports"]![0]!["nodePort"]);
        Assert.Equal("Cluster", (string?)created.Body["spec"]!["externalTrafficPolicy"]);
        Assert.True((bool?)created.Body["spec"]!["allocateLoadBalancerNodePorts"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"loadBalancer":{}}"""), created.Body["status"]));
        JsonNode? svc = null;
        await Kube.Eventually(async () =>
        {
            svc = (await k.Get($"/api/v1/namespaces/{ns}/services/ewgw")).Body;
            return svc?["status"]?["loadBalancer"]?["ingress"] is not null;
        }, "load balancer address");
        var ingress = svc!["status"]!["loadBalancer"]!["ingress"]![0]!;
        Assert.True(System.Net.IPAddress.TryParse((string?)ingress["ip"], out _));
        Assert.Equal("VIP", (string?)ingress["ipMode"]);
        Assert.Contains(svc["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["subresource"] == "status");
    }

    [Fact]
    public async Task Status_sent_to_the_main_resource_is_ignored_and_the_status_subresource_validates_ips()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("lbst");
        var created = await k.Post($"/api/v1/namespaces/{ns}/services", JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}""")!);
        var rv = (string?)created.Body!["metadata"]!["resourceVersion"];
        var ignored = await k.Patch($"/api/v1/namespaces/{ns}/services/s", JsonNode.Parse("""{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}}""")!, Kube.Merge);
        Assert.Equal(200, ignored.Code);
        Assert.Equal(rv, (string?)ignored.Body!["metadata"]!["resourceVersion"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"loadBalancer":{}}"""), ignored.Body["status"]));
        var set = await k.Patch($"/api/v1/namespaces/{ns}/services/s/status", JsonNode.Parse("""{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.11"}]}}}""")!, Kube.Merge);
        Assert.Equal("VIP", (string?)set.Body!["status"]!["loadBalancer"]!["ingress"]![0]!["ipMode"]);
        var bad = await k.Patch($"/api/v1/namespaces/{ns}/services/s/status", JsonNode.Parse("""{"status":{"loadBalancer":{"ingress":[{"ip":"not-an-ip"}]}}}""")!, Kube.Merge);
        Assert.Equal(422, bad.Code);
        Assert.Equal("status.loadBalancer.ingress[0].ip", (string?)bad.Body!["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task LoadBalancer_never_leaves_the_status_empty_and_external_ips_are_kept()
    {
        await using var lab = await HybridMesh.Lab.LabHost.StartAsync(new HybridMesh.Lab.LabOptions
        {
            Clusters = 1, StartControlServer = false, Fleet = TestFleetKey.Options(), Customize = (_, c) => c.LoadBalancerNever = true,
        });
        var cluster = lab.Clusters[0];
        using var k = Kube.For(cluster);
        Assert.Equal(201, (await k.Post("/api/v1/namespaces/default/services", LbService("never", "192.0.2.7"))).Code);
        await Task.Delay(600); // three times the default delay: a controller that ignored "never" would have acted
        var svc = await k.Get("/api/v1/namespaces/default/services/never");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"loadBalancer":{}}"""), svc.Body!["status"]));
        Assert.Equal("192.0.2.7", (string?)svc.Body["spec"]!["externalIPs"]![0]);

        cluster.SetLoadBalancerDelay(TimeSpan.FromMilliseconds(10));
        await Kube.Eventually(async () => (await k.Get("/api/v1/namespaces/default/services/never")).Body?["status"]?["loadBalancer"]?["ingress"] is not null,
            "address after switching from never to a delay");
    }

    [Fact]
    public async Task Deployment_becomes_available_with_running_pods()
    {
        using var k = Kube.For(fx.OnPrem);
        var ns = await k.NewNamespace("dep");
        var d = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"helloworld-v1","labels":{"app":"helloworld"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"helloworld","version":"v1"}},
               "template":{"metadata":{"labels":{"app":"helloworld","version":"v1"}},"spec":{"containers":[{"name":"helloworld","image":"istio/examples-helloworld-v1:1.0"}]}}}}
            """)!;
        Assert.Equal(201, (await k.Patch($"/apis/apps/v1/namespaces/{ns}/deployments/helloworld-v1?fieldManager=hybridmesh", d, Kube.Apply)).Code);
        JsonNode? got = null;
        await Kube.Eventually(async () =>
        {
            got = (await k.Get($"/apis/apps/v1/namespaces/{ns}/deployments/helloworld-v1")).Body;
            return (int?)got?["status"]?["availableReplicas"] == 2;
        }, "deployment availability");
        Assert.Equal(2, (int?)got!["status"]!["readyReplicas"]);
        Assert.Equal(1, (int?)got["status"]!["observedGeneration"]);
        Assert.Contains(got["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Available" && (string?)c["status"] == "True");
        var pods = await k.Get($"/api/v1/namespaces/{ns}/pods?labelSelector=app%3Dhelloworld");
        Assert.Equal(2, pods.Body!["items"]!.AsArray().Count);
        Assert.All(pods.Body["items"]!.AsArray(), p => Assert.Equal("Running", (string?)p!["status"]!["phase"]));
    }

    [Fact]
    public async Task Every_namespace_gets_a_default_service_account_and_kube_root_ca()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("defaults");
        await Kube.Eventually(async () => (await k.Get($"/api/v1/namespaces/{ns}/serviceaccounts/default")).Code == 200, "default service account");
        var ca = await k.Get($"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt");
        Assert.Equal(fx.Gke.CaCertificatePem, (string?)ca.Body!["data"]!["ca.crt"]);
    }
}

/// <summary>kubectl scale goes through deployments/scale (autoscaling/v1 Scale).</summary>
public sealed class ScaleTests(LabFixture fx) : IClassFixture<LabFixture>
{
    [Fact]
    public async Task Scale_subresource_reads_and_patches_replicas()
    {
        using var k = Kube.For(fx.Gke);
        var scale = await k.Get("/apis/apps/v1/namespaces/istio-system/deployments/istiod-asm-1282-4/scale");
        Assert.Equal("Scale", (string?)scale.Body!["kind"]);
        Assert.Equal("autoscaling/v1", (string?)scale.Body["apiVersion"]);
        Assert.Equal(1, (int?)scale.Body["spec"]!["replicas"]);
        Assert.Contains("app=istiod", (string?)scale.Body["status"]!["selector"]);
        var patched = await k.Patch("/apis/apps/v1/namespaces/istio-system/deployments/istiod-asm-1282-4/scale",
            JsonNode.Parse("""{"spec":{"replicas":2}}""")!, Kube.Merge);
        Assert.Equal(200, patched.Code);
        Assert.Equal(2, (int?)fx.Gke.GetObject("apps/v1", "Deployment", "istio-system", "istiod-asm-1282-4")!["spec"]!["replicas"]);
        await k.Patch("/apis/apps/v1/namespaces/istio-system/deployments/istiod-asm-1282-4/scale", JsonNode.Parse("""{"spec":{"replicas":1}}""")!, Kube.Merge);
    }
}
