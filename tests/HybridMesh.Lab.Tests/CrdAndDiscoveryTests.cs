using System.Text.Json.Nodes;
using HybridMesh.Lab;

namespace HybridMesh.Lab.Tests;

/// <summary>Discovery documents (docs/design/kube-api-answers.md §1) and CRD serving with conversion None (§4.8).</summary>
public sealed class CrdAndDiscoveryTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private const string Aggregated =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    [Fact]
    public async Task Version_and_legacy_discovery_have_the_recorded_shapes()
    {
        using var k = Kube.For(fx.Gke);
        var version = await k.Get("/version");
        Assert.Equal("v1.32.13", (string?)version.Body!["gitVersion"]);
        var api = await k.Get("/api");
        Assert.Equal("APIVersions", (string?)api.Body!["kind"]);
        Assert.Null(api.Body["apiVersion"]);
        var v1 = await k.Get("/api/v1");
        Assert.Null(v1.Body!["apiVersion"]);
        var resources = v1.Body["resources"]!.AsArray();
        var token = resources.Single(r => (string?)r!["name"] == "serviceaccounts/token")!;
        Assert.Equal("authentication.k8s.io", (string?)token["group"]);
        Assert.Equal("TokenRequest", (string?)token["kind"]);
        Assert.Equal("", (string?)token["singularName"]);
        Assert.Null(token["storageVersionHash"]);
        Assert.Contains(resources, r => (string?)r!["name"] == "services/status");

        var apis = await k.Get("/apis");
        Assert.Equal("v1", (string?)apis.Body!["apiVersion"]);
        var istio = apis.Body["groups"]!.AsArray().Single(g => (string?)g!["name"] == "networking.istio.io")!;
        Assert.Equal(new string?[] {"v1", "v1beta1", "v1alpha3"}, istio["versions"]!.AsArray().Select(v => (string?)v!["version"]).ToArray());
        Assert.Equal("v1", (string?)istio["preferredVersion"]!["version"]);
        var groupNames = apis.Body["groups"]!.AsArray().Select(g => (string?)g!["name"]).ToList();
        Assert.True(groupNames.IndexOf("apps") < groupNames.IndexOf("networking.istio.io"), "CRD groups come last");
    }

    [Fact]
    public async Task Aggregated_discovery_answers_with_its_content_type_and_nested_subresources()
    {
        using var k = Kube.For(fx.Gke);
        var core = await k.Get("/api", Aggregated);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", core.Response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        Assert.Equal("APIGroupDiscoveryList", (string?)core.Body!["kind"]);
        var group = core.Body["items"]![0]!;
        Assert.Null(group["metadata"]!["name"]);
        var sa = group["versions"]![0]!["resources"]!.AsArray().Single(r => (string?)r!["resource"] == "serviceaccounts")!;
        Assert.Equal("token", (string?)sa["subresources"]![0]!["subresource"]);
        Assert.Equal("", (string?)sa["responseKind"]!["group"]);

        var apis = await k.Get("/apis", Aggregated);
        var gw = apis.Body!["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == "networking.istio.io")!;
        var v1 = gw["versions"]![0]!;
        Assert.Equal("v1", (string?)v1["version"]);
        Assert.Equal("Current", (string?)v1["freshness"]);
        Assert.Equal("networking.istio.io", (string?)v1["resources"]![0]!["responseKind"]!["group"]);
    }

    [Fact]
    public async Task Gateway_applied_as_v1_is_served_as_v1alpha3_and_v1beta1_with_sorted_keys()
    {
        using var k = Kube.For(fx.Gke);
        var body = JsonNode.Parse("""
            {"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"cross-network-gateway","namespace":"istio-system"},
             "spec":{"selector":{"istio":"eastwestgateway"},"servers":[{"port":{"number":15443,"name":"tls","protocol":"TLS"},"tls":{"mode":"AUTO_PASSTHROUGH"},"hosts":["*.local"]}]}}
            """)!;
        var created = await k.Patch("/apis/networking.istio.io/v1/namespaces/istio-system/gateways/cross-network-gateway?fieldManager=hybridmesh&force=true", body, Kube.Apply);
        Assert.Equal(201, created.Code);
        Assert.Equal(["apiVersion", "kind", "metadata", "spec"], created.Object.Select(kv => kv.Key).ToArray());
        Assert.Equal(1, (int?)created.Body!["metadata"]!["generation"]);
        Assert.Equal(["hosts", "port", "tls"], created.Body["spec"]!["servers"]![0]!.AsObject().Select(kv => kv.Key).ToArray());

        foreach (var v in new[] { "v1alpha3", "v1beta1" })
        {
            var got = await k.Get($"/apis/networking.istio.io/{v}/namespaces/istio-system/gateways/cross-network-gateway");
            Assert.Equal(200, got.Code);
            Assert.Equal($"networking.istio.io/{v}", (string?)got.Body!["apiVersion"]);
            Assert.Equal("networking.istio.io/v1", (string?)got.Body["metadata"]!["managedFields"]![0]!["apiVersion"]);
            Assert.True(JsonNode.DeepEquals(created.Body["spec"], got.Body["spec"]));
        }
        var list = await k.Get("/apis/networking.istio.io/v1/namespaces/istio-system/gateways");
        Assert.Equal("GatewayList", (string?)list.Body!["kind"]);
        Assert.Equal("", (string?)list.Body["metadata"]!["continue"]);
        Assert.Equal("Gateway", (string?)list.Body["items"]![0]!["kind"]);
    }

    [Fact]
    public async Task Cluster_scoped_membership_is_served_and_a_new_crd_becomes_servable_until_deleted()
    {
        using var k = Kube.For(fx.OnPrem);
        var m = await k.Get("/apis/hub.gke.io/v1/memberships/membership");
        Assert.Equal(200, m.Code);
        Assert.Equal("//gkehub.googleapis.com/projects/lab-fleet/locations/global/memberships/cluster2", (string?)m.Body!["spec"]!["owner"]!["id"]);

        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget"},
               "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """)!;
        Assert.Equal(404, (await k.Get("/apis/example.com/v1/namespaces/default/widgets")).Code);
        var created = await k.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        Assert.Equal(201, created.Code);
        Assert.Contains(created.Body!["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True");
        var w = await k.Post("/apis/example.com/v1/namespaces/default/widgets", JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3}}""")!);
        Assert.Equal(201, w.Code);
        Assert.Equal(200, (await k.Get("/apis/example.com/v1")).Code);
        Assert.Equal(200, (await k.Delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).Code);
        Assert.Equal(404, (await k.Get("/apis/example.com/v1/namespaces/default/widgets/w1")).Code);
    }

    [Fact]
    public async Task Older_istio_option_serves_the_gateway_without_v1()
    {
        await using var lab = await LabHost.StartAsync(new LabOptions
        {
            Clusters = 1, StartControlServer = false, Fleet = TestFleetKey.Options(), Customize = (_, c) => c.ServeGatewayV1 = false,
        });
        using var k = Kube.For(lab.Clusters[0]);
        var group = await k.Get("/apis/networking.istio.io");
        Assert.Equal(new string?[] {"v1beta1", "v1alpha3"}, group.Body!["versions"]!.AsArray().Select(v => (string?)v!["version"]).ToArray());
        Assert.Equal(404, (await k.Get("/apis/networking.istio.io/v1/namespaces/istio-system/gateways")).Code);
        Assert.Equal(200, (await k.Get("/apis/networking.istio.io/v1beta1/namespaces/istio-system/gateways")).Code);
    }

    [Fact]
    public async Task Table_is_served_when_asked_with_partial_object_metadata_rows()
    {
        using var k = Kube.For(fx.Gke);
        var t = await k.Get("/api/v1/namespaces?limit=500",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        Assert.Equal("Table", (string?)t.Body!["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)t.Body["apiVersion"]);
        Assert.Equal(new string?[] {"Name", "Status", "Age"}, t.Body["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]).ToArray());
        var row = t.Body["rows"]!.AsArray().Single(r => (string?)r!["cells"]![0] == "default")!;
        Assert.Equal("Active", (string?)row["cells"]![1]);
        Assert.Equal("PartialObjectMetadata", (string?)row["object"]!["kind"]);
        Assert.Equal("default", (string?)row["object"]!["metadata"]!["labels"]!["kubernetes.io/metadata.name"]);
    }
}
