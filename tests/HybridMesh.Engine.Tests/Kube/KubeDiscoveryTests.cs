using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>apiVersion + kind → resource path, from the server's own discovery documents.</summary>
public sealed class KubeDiscoveryTests : IDisposable
{
    private const string Context = "disco";
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private KubeSession Open(FakeApiServer server) =>
        KubeSession.Open([_files.TokenConfig("kubeconfig.yaml", Context, server.Url)], Context,
            new KubeSessionOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(5) });

    private static FakeApiServer Serve() =>
        FakeApiServer.Start(r => CannedApi.Discovery(r) ?? FakeReply.Json(404, "{}"));

    [Fact]
    public async Task Kinds_and_plurals_map_to_their_paths_and_scope()
    {
        await using var server = Serve();
        using var session = Open(server);

        var configMap = await session.ResolveAsync("v1", "ConfigMap");
        var namespaces = await session.ResolveAsync("v1", "namespaces");
        var gateway = await session.ResolveAsync("networking.istio.io/v1alpha3", "Gateway");
        var deployment = await session.ResolveAsync("apps/v1", "deployment");

        Assert.Equal("/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert", configMap.ObjectPath("istio-system", "istio-ca-root-cert"));
        Assert.Equal(("Namespace", false), (namespaces.Kind, namespaces.Namespaced));
        Assert.Equal("/api/v1/namespaces/istio-system", namespaces.ObjectPath(null, "istio-system"));
        Assert.Equal("/apis/networking.istio.io/v1alpha3/namespaces/istio-system/gateways/cross-network-gateway",
            gateway.ObjectPath("istio-system", "cross-network-gateway"));
        Assert.Equal("gateways.networking.istio.io", gateway.QualifiedPlural);
        Assert.Equal(("Deployment", "deployments", true), (deployment.Kind, deployment.Plural, deployment.Namespaced));
    }

    [Fact]
    public async Task Subresources_are_not_mistaken_for_resources()
    {
        await using var server = Serve();
        using var session = Open(server);

        // "services/status" has kind Service too; the top-level entry must win.
        var service = await session.ResolveAsync("v1", "Service");
        var error = await Assert.ThrowsAsync<MeshException>(() => session.ResolveAsync("v1", "PodExecOptions"));

        Assert.Equal("services", service.Plural);
        Assert.Equal("KubeKindNotServed", error.ErrorId);
    }

    [Fact]
    public async Task Served_versions_come_preferred_first_in_server_order()
    {
        await using var server = Serve();
        using var session = Open(server);

        Assert.Equal(["v1", "v1beta1", "v1alpha3"], await session.ServedVersionsAsync("networking.istio.io"));
        Assert.Equal(["v1"], await session.ServedVersionsAsync("apps"));
        Assert.Empty(await session.ServedVersionsAsync("security.istio.io"));
        Assert.Equal(["v1"], await session.ServedVersionsAsync(""));
    }

    [Fact]
    public async Task Discovery_documents_are_fetched_once_per_session()
    {
        await using var server = Serve();
        using var session = Open(server);

        await session.ResolveAsync("v1", "ConfigMap");
        await session.ResolveAsync("v1", "Secret");
        await session.ResolveAsync("v1", "Namespace");
        await session.ServedVersionsAsync("networking.istio.io");
        await session.ServedVersionsAsync("apps");

        Assert.Equal(1, server.Count("GET", "/api/v1"));
        Assert.Equal(1, server.Count("GET", "/apis"));
    }

    [Fact]
    public async Task A_group_that_is_not_served_is_KubeKindNotServed()
    {
        await using var server = Serve();
        using var session = Open(server);

        var missingGroup = await Assert.ThrowsAsync<MeshException>(() =>
            session.GetAsync("security.istio.io/v1", "PeerAuthentication", "istio-system", "default"));

        Assert.Equal("KubeKindNotServed", missingGroup.ErrorId);
        Assert.Equal(MeshErrorCategory.ObjectNotFound, missingGroup.Category);
        Assert.Equal(Context, missingGroup.Target);
        Assert.Contains("not served at all", missingGroup.Message);
    }

    [Fact]
    public async Task A_version_or_kind_the_group_does_not_serve_lists_the_served_versions()
    {
        await using var server = Serve();
        using var session = Open(server);

        var wrongVersion = await Assert.ThrowsAsync<MeshException>(() => session.ResolveAsync("networking.istio.io/v2", "Gateway"));
        var wrongKind = await Assert.ThrowsAsync<MeshException>(() => session.ResolveAsync("networking.istio.io/v1", "ServiceEntry"));

        Assert.Equal("KubeKindNotServed", wrongVersion.ErrorId);
        Assert.Contains("v1, v1beta1, v1alpha3", wrongVersion.Message);
        Assert.Equal("KubeKindNotServed", wrongKind.ErrorId);
        Assert.Contains("ServiceEntry", wrongKind.Message);
    }
}
