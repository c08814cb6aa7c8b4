using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Tests;

/// <summary>Server-side apply, patches, PUT and DELETE semantics as recorded (docs/design/kube-api-answers.md §3, §4, §5).</summary>
public sealed class ApplyAndWriteTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private static JsonNode Cm(string ns, string name, string data, string? labelApp = null) => JsonNode.Parse($$"""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{name}}","namespace":"{{ns}}"{{(labelApp is null ? "" : $$""","labels":{"app":"{{labelApp}}"}""")}}},"data":{{data}}}
        """)!;

    [Fact]
    public async Task First_apply_creates_201_and_identical_reapply_is_a_true_noop()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        var url = $"/api/v1/namespaces/{ns}/configmaps/ssa1?fieldManager=hybridmesh&force=true";
        var first = await k.Patch(url, Cm(ns, "ssa1", """{"k":"v1"}""", "mesh"), Kube.Apply);
        Assert.Equal(201, first.Code);
        var mf = first.Body!["metadata"]!["managedFields"]!.AsArray().Single()!;
        Assert.Equal("hybridmesh", (string?)mf["manager"]);
        Assert.Equal("Apply", (string?)mf["operation"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"f:data":{"f:k":{}},"f:metadata":{"f:labels":{"f:app":{}}}}"""), mf["fieldsV1"]), mf["fieldsV1"]!.ToJsonString());

        var second = await k.Patch(url, Cm(ns, "ssa1", """{"k":"v1"}""", "mesh"), Kube.Apply);
        Assert.Equal(200, second.Code);
        Assert.Equal((string?)first.Body["metadata"]!["resourceVersion"], (string?)second.Body!["metadata"]!["resourceVersion"]);
        Assert.True(JsonNode.DeepEquals(first.Body["metadata"]!["managedFields"], second.Body["metadata"]!["managedFields"]));
    }

    [Fact]
    public async Task Reapplying_a_load_balancer_service_and_a_deployment_changes_nothing_after_controllers_ran()
    {
        using var k = Kube.For(fx.OnPrem);
        var ns = await k.NewNamespace("noop");
        var svc = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"istio-eastwestgateway","labels":{"istio":"eastwestgateway"}},
             "spec":{"type":"LoadBalancer","selector":{"istio":"eastwestgateway"},
               "ports":[{"name":"status-port","port":15021,"targetPort":15021},{"name":"tls","port":15443,"targetPort":15443}]}}
            """)!;
        var deploy = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"istio-eastwestgateway"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"istio":"eastwestgateway"}},
               "template":{"metadata":{"labels":{"istio":"eastwestgateway"}},"spec":{"containers":[{"name":"istio-proxy","image":"auto","ports":[{"containerPort":15443}]}]}}}}
            """)!;
        svc["metadata"]!["namespace"] = ns;
        deploy["metadata"]!["namespace"] = ns;
        var svcUrl = $"/api/v1/namespaces/{ns}/services/istio-eastwestgateway?fieldManager=hybridmesh&force=true";
        var deployUrl = $"/apis/apps/v1/namespaces/{ns}/deployments/istio-eastwestgateway?fieldManager=hybridmesh&force=true";
        Assert.Equal(201, (await k.Patch(svcUrl, svc, Kube.Apply)).Code);
        Assert.Equal(201, (await k.Patch(deployUrl, deploy, Kube.Apply)).Code);
        await Kube.Eventually(async () =>
            (await k.Get($"/api/v1/namespaces/{ns}/services/istio-eastwestgateway")).Body?["status"]?["loadBalancer"]?["ingress"] is not null
            && (int?)(await k.Get($"/apis/apps/v1/namespaces/{ns}/deployments/istio-eastwestgateway")).Body?["status"]?["availableReplicas"] == 1,
            "load balancer address and deployment availability");
        var svcBefore = (await k.Get($"/api/v1/namespaces/{ns}/services/istio-eastwestgateway")).Body!;
        var deployBefore = (await k.Get($"/apis/apps/v1/namespaces/{ns}/deployments/istio-eastwestgateway")).Body!;

        var svcAgain = await k.Patch(svcUrl, svc, Kube.Apply);
        var deployAgain = await k.Patch(deployUrl, deploy, Kube.Apply);
        Assert.Equal(200, svcAgain.Code);
        Assert.Equal((string?)svcBefore["metadata"]!["resourceVersion"], (string?)svcAgain.Body!["metadata"]!["resourceVersion"]);
        Assert.Equal(svcBefore["spec"]!["ports"]![1]!["nodePort"]!.ToJsonString(), svcAgain.Body["spec"]!["ports"]![1]!["nodePort"]!.ToJsonString());
        Assert.Equal((string?)deployBefore["metadata"]!["resourceVersion"], (string?)deployAgain.Body!["metadata"]!["resourceVersion"]);
        Assert.Equal(1, (int?)deployAgain.Body["metadata"]!["generation"]);
    }

    [Fact]
    public async Task Keyed_list_items_are_owned_per_item_and_rendered_with_their_keys()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("keyed");
        JsonNode Deploy(string container, string image) => JsonNode.Parse($$"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"{{ns}}"},
             "spec":{"selector":{"matchLabels":{"app":"d"} },"template":{"metadata":{"labels":{"app":"d"} },
               "spec":{"containers":[{"name":"{{container}}","image":"{{image}}"} ] } } } }
            """)!;
        var url = $"/apis/apps/v1/namespaces/{ns}/deployments/d";
        var first = await k.Patch(url + "?fieldManager=hybridmesh", Deploy("istio-proxy", "auto"), Kube.Apply);
        Assert.Equal(201, first.Code);
        var fields = first.Body!["metadata"]!["managedFields"]![0]!["fieldsV1"]!["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!;
        var expected = new JsonObject { ["k:{\"name\":\"istio-proxy\"}"] = JsonNode.Parse("""{".":{},"f:image":{},"f:name":{}}""") };
        Assert.True(JsonNode.DeepEquals(expected, fields), fields.ToJsonString());

        // another manager adds its own container: both stay, and re-applying the first changes nothing
        var sidecar = await k.Patch(url + "?fieldManager=other-tool", Deploy("sidecar", "busybox:1"), Kube.Apply);
        Assert.Equal(["istio-proxy", "sidecar"], sidecar.Body!["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!).ToArray());
        // The deployment controller writes the status once it has seen the new generation; compare after that write.
        string? settled = null;
        await Kube.Eventually(async () =>
        {
            var current = (await k.Get(url)).Body!;
            settled = (string?)current["metadata"]!["resourceVersion"];
            return (long?)current["status"]?["observedGeneration"] == (long?)current["metadata"]!["generation"];
        }, "the deployment controller's status write");
        var again = await k.Patch(url + "?fieldManager=hybridmesh", Deploy("istio-proxy", "auto"), Kube.Apply);
        Assert.Equal(settled, (string?)again.Body!["metadata"]!["resourceVersion"]);

        // a different value in another manager's item conflicts on that field only
        var conflict = await k.Patch(url + "?fieldManager=hybridmesh", Deploy("sidecar", "busybox:2"), Kube.Apply);
        Assert.Equal(409, conflict.Code);
        Assert.Equal(".spec.template.spec.containers[name=\"sidecar\"].image", (string?)conflict.Body!["details"]!["causes"]![0]!["field"]);

        // dropping an item from the applied config removes it
        var dropped = await k.Patch(url + "?fieldManager=other-tool", JsonNode.Parse($$"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"{{ns}}"} }
            """)!, Kube.Apply);
        Assert.Equal(["istio-proxy"], dropped.Body!["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!).ToArray());
    }

    [Fact]
    public async Task Apply_conflicts_with_other_managers_unless_forced_and_force_takes_ownership()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        var path = $"/api/v1/namespaces/{ns}/configmaps/ssa1";
        Assert.Equal(201, (await k.Patch(path + "?fieldManager=hybridmesh&force=true", Cm(ns, "ssa1", """{"k":"v1"}""", "mesh"), Kube.Apply)).Code);
        Assert.Equal(200, (await k.Patch(path + "?fieldManager=other-tool", Cm(ns, "ssa1", """{"owner":"other"}"""), Kube.Apply)).Code);
        var edit = await k.Patch(path + "?fieldManager=kubectl-edit", JsonNode.Parse("""{"metadata":{"labels":{"app":"edited"}}}""")!, Kube.Merge);
        Assert.Equal(200, edit.Code);
        Assert.Equal(3, edit.Body!["metadata"]!["managedFields"]!.AsArray().Count);

        var desired = Cm(ns, "ssa1", """{"k":"v1","owner":"hybridmesh"}""", "mesh");
        foreach (var force in new[] { "?fieldManager=hybridmesh&force=false", "?fieldManager=hybridmesh" })
        {
            var conflict = await k.Patch(path + force, desired, Kube.Apply);
            Assert.Equal(409, conflict.Code);
            Assert.Equal("Apply failed with 2 conflicts: conflicts with \"kubectl-edit\" using v1:\n- .metadata.labels.app\nconflicts with \"other-tool\":\n- .data.owner",
                (string?)conflict.Body!["message"]);
            var causes = conflict.Body["details"]!["causes"]!.AsArray();
            Assert.Equal(new string?[] {".data.owner", ".metadata.labels.app"}, causes.Select(c => (string?)c!["field"]).ToArray());
            Assert.Equal("conflict with \"other-tool\"", (string?)causes[0]!["message"]);
        }

        var forced = await k.Patch(path + "?fieldManager=hybridmesh&force=true", desired, Kube.Apply);
        Assert.Equal(200, forced.Code);
        var managers = forced.Body!["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal("hybridmesh", (string?)managers.Single()!["manager"]);
        Assert.Equal("hybridmesh", (string?)forced.Body["data"]!["owner"]);
        Assert.Equal("mesh", (string?)forced.Body["metadata"]!["labels"]!["app"]);
    }

    [Fact]
    public async Task Applying_the_value_another_manager_owns_shares_ownership_without_conflict()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        var path = $"/api/v1/namespaces/{ns}/configmaps/shared";
        await k.Patch(path + "?fieldManager=hybridmesh", Cm(ns, "shared", """{"k":"v1"}"""), Kube.Apply);
        var r = await k.Patch(path + "?fieldManager=other-tool&force=false", Cm(ns, "shared", """{"k":"v1"}"""), Kube.Apply);
        Assert.Equal(200, r.Code);
        var managers = r.Body!["metadata"]!["managedFields"]!.AsArray().Select(m => (string?)m!["manager"]).ToList();
        Assert.Contains("hybridmesh", managers);
        Assert.Contains("other-tool", managers);
    }

    [Fact]
    public async Task Apply_errors_missing_field_manager_422_unknown_field_500_name_mismatch_400()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        var noManager = await k.Patch($"/api/v1/namespaces/{ns}/configmaps/ssa2", Cm(ns, "ssa2", """{"k":"v"}"""), Kube.Apply);
        Assert.Equal(422, noManager.Code);
        Assert.Equal("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", (string?)noManager.Body!["message"]);
        Assert.Equal("meta.k8s.io", (string?)noManager.Body["details"]!["group"]);

        var withSpec = Cm(ns, "ssa2", """{"k":"v"}""");
        withSpec["spec"] = new JsonObject { ["foo"] = 1 };
        var unknown = await k.Patch($"/api/v1/namespaces/{ns}/configmaps/ssa2?fieldManager=hybridmesh&force=true", withSpec, Kube.Apply);
        Assert.Equal(500, unknown.Code);
        Assert.Equal($"failed to create typed patch object ({ns}/ssa2; /v1, Kind=ConfigMap): .spec: field not declared in schema", (string?)unknown.Body!["message"]);
        Assert.Null(unknown.Body["reason"]);

        var mismatch = await k.Patch($"/api/v1/namespaces/{ns}/configmaps/ssa4?fieldManager=hybridmesh&force=true", Cm(ns, "other", """{"k":"v"}"""), Kube.Apply);
        Assert.Equal(400, mismatch.Code);
        Assert.Equal("the name of the object (other) does not match the name on the URL (ssa4)", (string?)mismatch.Body!["message"]);
    }

    [Fact]
    public async Task Dry_run_apply_creates_nothing_and_returns_no_resourceVersion()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        var r = await k.Patch($"/api/v1/namespaces/{ns}/configmaps/dry1?fieldManager=hybridmesh&force=true&dryRun=All", Cm(ns, "dry1", """{"k":"v"}"""), Kube.Apply);
        Assert.Equal(201, r.Code);
        Assert.NotNull(r.Body!["metadata"]!["uid"]);
        Assert.Null(r.Body["metadata"]!["resourceVersion"]);
        Assert.Equal(404, (await k.Get($"/api/v1/namespaces/{ns}/configmaps/dry1")).Code);
    }

    [Fact]
    public async Task Secret_stringData_is_stored_as_data_and_a_dropped_stringData_key_stays()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        var path = $"/api/v1/namespaces/{ns}/secrets/rs?fieldManager=hybridmesh&force=true";
        JsonNode Secret(string key) => JsonNode.Parse($$"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"rs","namespace":"{{ns}}","labels":{"istio/multiCluster":"true"} },
             "stringData":{"{{key}}":"apiVersion: v1\nkind: Config\n"} }
            """)!;
        var created = await k.Patch(path, Secret("cn-a"), Kube.Apply);
        Assert.Equal(201, created.Code);
        Assert.Null(created.Body!["stringData"]);
        Assert.Equal("Opaque", (string?)created.Body["type"]);
        Assert.Equal("apiVersion: v1\nkind: Config\n", Encoding.UTF8.GetString(Convert.FromBase64String((string)created.Body["data"]!["cn-a"]!)));
        var rv = (string?)created.Body["metadata"]!["resourceVersion"];
        var again = await k.Patch(path, Secret("cn-a"), Kube.Apply);
        Assert.Equal(rv, (string?)again.Body!["metadata"]!["resourceVersion"]);
        var renamed = await k.Patch(path, Secret("cn-b"), Kube.Apply);
        Assert.NotNull(renamed.Body!["data"]!["cn-a"]);
        Assert.NotNull(renamed.Body["data"]!["cn-b"]);
    }

    [Fact]
    public async Task Deployment_apply_fills_defaults_and_a_selector_change_is_422_immutable()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("ssa");
        JsonNode Deploy(string net) => JsonNode.Parse($$"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"istio-eastwestgateway","namespace":"{{ns}}","labels":{"istio":"eastwestgateway"} },
             "spec":{"replicas":1,"selector":{"matchLabels":{"istio":"eastwestgateway","topology.istio.io/network":"{{net}}"} },
               "template":{"metadata":{"labels":{"istio":"eastwestgateway","topology.istio.io/network":"{{net}}"} },
                 "spec":{"containers":[{"name":"istio-proxy","image":"auto"}]} } } }
            """)!;
        var url = $"/apis/apps/v1/namespaces/{ns}/deployments/istio-eastwestgateway?fieldManager=hybridmesh&force=true";
        var created = await k.Patch(url, Deploy("net-a"), Kube.Apply);
        Assert.Equal(201, created.Code);
        Assert.Equal(1, (int?)created.Body!["metadata"]!["generation"]);
        var spec = created.Body["spec"]!;
        Assert.Equal("RollingUpdate", (string?)spec["strategy"]!["type"]);
        Assert.Equal(10, (int?)spec["revisionHistoryLimit"]);
        Assert.Equal(600, (int?)spec["progressDeadlineSeconds"]);
        Assert.Equal("Always", (string?)spec["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]);
        Assert.Equal("ClusterFirst", (string?)spec["template"]!["spec"]!["dnsPolicy"]);

        var changed = await k.Patch(url, Deploy("net-b"), Kube.Apply);
        Assert.Equal(422, changed.Code);
        Assert.Equal("Deployment.apps \"istio-eastwestgateway\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"istio\":\"eastwestgateway\", \"topology.istio.io/network\":\"net-b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
            (string?)changed.Body!["message"]);
        Assert.Equal("apps", (string?)changed.Body["details"]!["group"]);
        Assert.Equal("Deployment", (string?)changed.Body["details"]!["kind"]);
    }

    [Fact]
    public async Task Merge_patch_replaces_lists_strategic_merges_by_key_json_patch_edits_and_failures_are_generic_422()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("patch");
        var svc = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"istiod","labels":{"app":"istiod"}},
             "spec":{"selector":{"app":"istiod"},"ports":[{"name":"grpc-xds","port":15010,"targetPort":15010},{"name":"https-dns","port":15012,"targetPort":15012}]}}
            """)!;
        var created = await k.Post($"/api/v1/namespaces/{ns}/services", svc);
        Assert.Equal(201, created.Code);
        Assert.Equal("ClusterIP", (string?)created.Body!["spec"]!["type"]);
        Assert.Equal("TCP", (string?)created.Body["spec"]!["ports"]![0]!["protocol"]);
        Assert.NotNull(created.Body["spec"]!["clusterIP"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"loadBalancer":{}}"""), created.Body["status"]));

        var path = $"/api/v1/namespaces/{ns}/services/istiod";
        var merged = await k.Patch(path, JsonNode.Parse("""{"metadata":{"labels":{"istio.io/rev":"asm-1282-4"}},"spec":{"ports":[{"name":"tls-istiod","port":15017,"targetPort":15017}]}}""")!, Kube.Merge);
        Assert.Equal(200, merged.Code);
        Assert.Single(merged.Body!["spec"]!["ports"]!.AsArray());

        var strategic = await k.Patch(path, JsonNode.Parse("""{"metadata":{"labels":{"app":null}},"spec":{"ports":[{"name":"grpc-xds","port":15010,"targetPort":15010}]}}""")!, Kube.Strategic);
        Assert.Equal(200, strategic.Code);
        Assert.Equal([15010, 15017], strategic.Body!["spec"]!["ports"]!.AsArray().Select(p => (int)p!["port"]!).ToArray());
        Assert.Null(strategic.Body["metadata"]!["labels"]!["app"]);

        var jp = await k.Patch(path, JsonNode.Parse("""[{"op":"add","path":"/metadata/annotations","value":{"networking.istio.io/exportTo":"*"}},{"op":"replace","path":"/spec/ports/0/port","value":15011}]""")!, Kube.JsonPatch);
        Assert.Equal(200, jp.Code);
        Assert.Equal(15011, (int?)jp.Body!["spec"]!["ports"]![0]!["port"]);
        Assert.Equal("*", (string?)jp.Body["metadata"]!["annotations"]!["networking.istio.io/exportTo"]);

        var bad = await k.Patch(path, JsonNode.Parse("""[{"op":"remove","path":"/metadata/labels/nothere"}]""")!, Kube.JsonPatch);
        Assert.Equal(422, bad.Code);
        Assert.Equal("the server rejected our request due to an error in our request", (string?)bad.Body!["message"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject(), bad.Body["details"]));
    }

    [Fact]
    public async Task Put_without_resourceVersion_replaces_unconditionally_and_drops_absent_fields()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("put");
        await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm(ns, "cm1", """{"k":"v1"}""", "x"));
        var r = await k.Put($"/api/v1/namespaces/{ns}/configmaps/cm1", Cm(ns, "cm1", """{"k":"v3"}"""));
        Assert.Equal(200, r.Code);
        Assert.Null(r.Body!["metadata"]!["labels"]);
        Assert.Equal("v3", (string?)r.Body["data"]!["k"]);
    }

    [Fact]
    public async Task Delete_gives_Success_status_then_404_and_foreground_gives_the_object_with_finalizer()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("del");
        var created = await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm(ns, "cm1", """{"k":"v1"}"""));
        var del = await k.Delete($"/api/v1/namespaces/{ns}/configmaps/cm1", JsonNode.Parse("""{"propagationPolicy":"Background"}"""));
        Assert.Equal(200, del.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"cm1","kind":"configmaps","uid":"{{(string)created.Body!["metadata"]!["uid"]!}}"} }
            """), del.Body), del.Body!.ToJsonString());
        var again = await k.Delete($"/api/v1/namespaces/{ns}/configmaps/cm1");
        Assert.Equal(404, again.Code);

        var deploy = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web1"},
             "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}}
            """)!;
        Assert.Equal(201, (await k.Post($"/apis/apps/v1/namespaces/{ns}/deployments", deploy)).Code);
        var fg = await k.Delete($"/apis/apps/v1/namespaces/{ns}/deployments/web1?propagationPolicy=Foreground");
        Assert.Equal(200, fg.Code);
        Assert.Equal("Deployment", (string?)fg.Body!["kind"]);
        Assert.NotNull(fg.Body["metadata"]!["deletionTimestamp"]);
        Assert.Contains("foregroundDeletion", fg.Body["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        await Kube.Eventually(async () => (await k.Get($"/apis/apps/v1/namespaces/{ns}/deployments/web1")).Code == 404, "foreground deletion to finish");

        Assert.Equal(201, (await k.Post($"/apis/apps/v1/namespaces/{ns}/deployments", deploy)).Code);
        var bg = await k.Delete($"/apis/apps/v1/namespaces/{ns}/deployments/web1?propagationPolicy=Background");
        Assert.Equal("apps", (string?)bg.Body!["details"]!["group"]);
        Assert.Equal("deployments", (string?)bg.Body["details"]!["kind"]);
    }

    [Fact]
    public async Task Deleted_namespace_is_Terminating_refuses_new_content_with_403_and_then_disappears()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("doomed");
        var del = await k.Delete($"/api/v1/namespaces/{ns}");
        Assert.Equal(200, del.Code);
        Assert.Equal("Terminating", (string?)del.Body!["status"]!["phase"]);
        var late = await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm(ns, "late", """{"k":"v"}"""));
        if (late.Code != 404) // the namespace may already be gone
        {
            Assert.Equal(403, late.Code);
            Assert.Equal("NamespaceTerminating", (string?)late.Body!["details"]!["causes"]![0]!["reason"]);
        }
        await Kube.Eventually(async () => (await k.Get($"/api/v1/namespaces/{ns}")).Code == 404, "namespace removal");
    }

    [Fact]
    public async Task Lists_have_no_item_kind_for_builtins_and_page_with_continue()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("list");
        for (var i = 0; i < 3; i++)
            await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm(ns, $"c{i}", """{"k":"v"}""", i == 0 ? "a" : "b"));
        var all = await k.Get($"/api/v1/namespaces/{ns}/configmaps");
        Assert.Equal("ConfigMapList", (string?)all.Body!["kind"]);
        var items = all.Body["items"]!.AsArray();
        Assert.Equal(new string?[] {"c0", "c1", "c2", "kube-root-ca.crt"}, items.Select(i => (string?)i!["metadata"]!["name"]).ToArray());
        Assert.All(items, i => Assert.Null(i!["kind"]));

        var page = await k.Get($"/api/v1/namespaces/{ns}/configmaps?limit=2");
        Assert.Equal(2, page.Body!["items"]!.AsArray().Count);
        Assert.Equal(2, (int?)page.Body["metadata"]!["remainingItemCount"]);
        var next = await k.Get($"/api/v1/namespaces/{ns}/configmaps?limit=2&continue={Uri.EscapeDataString((string)page.Body["metadata"]!["continue"]!)}");
        Assert.Equal(new string?[] {"c2", "kube-root-ca.crt"}, next.Body!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToArray());

        var selected = await k.Get($"/api/v1/namespaces/{ns}/configmaps?labelSelector={Uri.EscapeDataString("app in (a),app!=c")}");
        Assert.Equal(new string?[] {"c0"}, selected.Body!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToArray());
        var notIn = await k.Get($"/api/v1/namespaces/{ns}/configmaps?labelSelector={Uri.EscapeDataString("app notin (a)")}");
        Assert.Equal(new string?[] {"c1", "c2", "kube-root-ca.crt"}, notIn.Body!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToArray());
        var exists = await k.Get($"/api/v1/namespaces/{ns}/configmaps?labelSelector=app");
        Assert.Equal(3, exists.Body!["items"]!.AsArray().Count);
        var byName = await k.Get($"/api/v1/configmaps?fieldSelector={Uri.EscapeDataString($"metadata.name=c1,metadata.namespace={ns}")}");
        Assert.Equal(new string?[] {"c1"}, byName.Body!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToArray());
    }
}

/// <summary>Watch streams one JSON event per line (docs/design/kube-api-answers.md §9), as kubectl's delete-and-wait relies on.</summary>
public sealed class WatchTests(LabFixture fx) : IClassFixture<LabFixture>
{
    [Fact]
    public async Task Watch_streams_added_and_deleted_events_and_ends_at_timeoutSeconds()
    {
        using var k = Kube.For(fx.OnPrem);
        var ns = await k.NewNamespace("watch");
        var rv = (string?)(await k.Get($"/api/v1/namespaces/{ns}/configmaps")).Body!["metadata"]!["resourceVersion"];
        using var http = fx.OnPrem.CreateHttpClient();
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=2",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var reading = response.Content.ReadAsStringAsync();
        await Task.Delay(200);
        await k.Post($"/api/v1/namespaces/{ns}/configmaps", JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"watched"},"data":{"k":"v"}}""")!);
        await k.Delete($"/api/v1/namespaces/{ns}/configmaps/watched");
        var lines = (await reading).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(new string?[] {"ADDED", "DELETED"}, lines.Select(l => (string?)l["type"]).ToArray());
        Assert.Equal("ConfigMap", (string?)lines[0]["object"]!["kind"]);
        Assert.True(long.Parse((string)lines[1]["object"]!["metadata"]!["resourceVersion"]!) > long.Parse((string)lines[0]["object"]!["metadata"]!["resourceVersion"]!));
    }
}

/// <summary>Watch from a resourceVersion replays what happened since, or answers Expired (docs/design/kube-api-answers.md §9, §9.4).</summary>
public sealed class WatchReplayTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private static async Task<List<JsonNode>> Watch(HybridMesh.Lab.LabCluster cluster, string path)
    {
        using var http = cluster.CreateHttpClient();
        var text = await http.GetStringAsync(path);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
    }

    [Fact]
    public async Task Changes_made_before_the_watch_started_are_replayed_from_the_given_resourceVersion()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("replay");
        var created = await k.Post($"/api/v1/namespaces/{ns}/configmaps", JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"r"},"data":{"k":"1"}}""")!);
        var rv = (string)created.Body!["metadata"]!["resourceVersion"]!;
        await k.Patch($"/api/v1/namespaces/{ns}/configmaps/r", JsonNode.Parse("""{"data":{"k":"2"}}""")!, Kube.Merge);
        await k.Delete($"/api/v1/namespaces/{ns}/configmaps/r");
        var events = await Watch(fx.Gke, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1");
        Assert.Equal(new string?[] { "MODIFIED", "DELETED" }, events.Select(e => (string?)e["type"]).ToArray());
        Assert.Equal("2", (string?)events[0]["object"]!["data"]!["k"]);
    }

    [Fact]
    public async Task A_resourceVersion_older_than_the_history_gets_one_Expired_error_event()
    {
        await using var lab = await HybridMesh.Lab.LabHost.StartAsync(new HybridMesh.Lab.LabOptions { Clusters = 1, StartControlServer = false, Fleet = TestFleetKey.Options() });
        var cluster = lab.Clusters[0];
        cluster.Runtime.Store.HistoryCapacity = 5;
        using var k = Kube.For(cluster);
        for (var i = 0; i < 10; i++)
            await k.Post("/api/v1/namespaces/default/configmaps", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = $"c{i}" } });
        var events = await Watch(cluster, "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=5&timeoutSeconds=2");
        var error = Assert.Single(events);
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.StartsWith("too old resource version: 5 (", (string?)error["object"]!["message"]);
        try { Directory.Delete(lab.OutputDirectory, true); } catch (IOException) { }
    }
}
