using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Manifests.ManifestAssert;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>cross-network-gateway against expose-services.yaml (docs/design/gateway-objects.md) and the version rule.</summary>
public class CrossNetworkGatewayRendererTests
{
    [Theory]
    [InlineData("networking.istio.io/v1", "v1alpha3", "v1beta1", "v1")]
    [InlineData("networking.istio.io/v1beta1", "v1alpha3", "v1beta1")]
    [InlineData("networking.istio.io/v1alpha3", "v1alpha3")]
    [InlineData("networking.istio.io/v1beta1", "networking.istio.io/v1alpha3", "networking.istio.io/v1beta1")]
    public void Newest_served_version_is_chosen(string expected, params string[] served)
    {
        Assert.Equal(expected, CrossNetworkGatewayRenderer.ChooseApiVersion(served));
    }

    [Theory]
    [InlineData]
    [InlineData("v2")]
    [InlineData("networking.k8s.io/v1")]
    public void No_known_version_means_istio_is_not_installed(params string[] served)
    {
        var error = Assert.Throws<MeshException>(() => CrossNetworkGatewayRenderer.ChooseApiVersion(served, "onprem-1"));

        Assert.Equal("GatewayCrdMissing", error.ErrorId);
        Assert.Equal(MeshErrorCategory.NotInstalled, error.Category);
        Assert.Equal("onprem-1", error.Target);
        Assert.Contains("gateways.networking.istio.io", error.RecommendedAction);
    }

    [Fact]
    public void Renders_expose_services_with_the_chosen_version()
    {
        var gateway = CrossNetworkGatewayRenderer.Render(new CrossNetworkGatewayOptions(), ["v1beta1", "v1alpha3"]);

        Assert.Equal("networking.istio.io/v1beta1", ManifestObjects.ApiVersion(gateway));
        Assert.Equal("Gateway istio-system/cross-network-gateway", ManifestObjects.Describe(gateway));
        Assert.Equal(new Dictionary<string, string> { ["istio"] = "eastwestgateway" }, Map(gateway["spec"]!["selector"]));
        var server = Assert.Single(gateway["spec"]!["servers"]!.AsArray())!;
        Assert.Equal(15443, (int)server["port"]!["number"]!);
        Assert.Equal("tls", (string?)server["port"]!["name"]);
        Assert.Equal("TLS", (string?)server["port"]!["protocol"]);
        Assert.Equal("AUTO_PASSTHROUGH", (string?)server["tls"]!["mode"]);
        Assert.Equal(["*.local"], Strings(server["hosts"]));
        Assert.Equal("hybridmesh", Map(gateway["metadata"]!["labels"])["app.kubernetes.io/managed-by"]);
    }

    [Fact]
    public void Hosts_can_be_narrowed()
    {
        var gateway = CrossNetworkGatewayRenderer.Render(
            new CrossNetworkGatewayOptions { Hosts = ["sample/*.local", "*.svc.cluster.local", "./api.prod.svc.cluster.local"] }, ["v1"]);

        Assert.Equal(["sample/*.local", "*.svc.cluster.local", "./api.prod.svc.cluster.local"],
            Strings(gateway["spec"]!["servers"]![0]!["hosts"]));
    }

    [Theory]
    [InlineData("Foo.local")]
    [InlineData("*.*.local")]
    [InlineData("a..local")]
    [InlineData("")]
    [InlineData("bad ns/*.local")]
    [InlineData("*local")]
    public void Invalid_hosts_are_refused(string host)
    {
        var error = Assert.Throws<MeshException>(() =>
            CrossNetworkGatewayRenderer.Render(new CrossNetworkGatewayOptions { Hosts = [host] }, ["v1"]));

        Assert.Equal("GatewayHostInvalid", error.ErrorId);
    }

    [Fact]
    public void Version_check_happens_even_with_valid_hosts()
    {
        Assert.Equal("GatewayCrdMissing", Assert.Throws<MeshException>(() =>
            CrossNetworkGatewayRenderer.Render(new CrossNetworkGatewayOptions(), [])).ErrorId);
    }
}
