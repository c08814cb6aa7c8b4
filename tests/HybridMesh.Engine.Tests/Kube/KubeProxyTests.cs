using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>The kubeconfig's per-cluster proxy-url, which KubernetesClient itself ignores.</summary>
public sealed class KubeProxyTests : IDisposable
{
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Config(string proxyUrl) => _files.Write("proxied.yaml", $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: behind-proxy
          cluster:
            # .invalid never resolves: only the proxy (on 127.0.0.1) can be the one answering.
            server: http://kube.invalid:6443
            proxy-url: {proxyUrl}
        contexts:
        - name: proxied
          context: {"{"}cluster: behind-proxy, user: u{"}"}
        users:
        - name: u
          user: {"{"}token: {KubeTestFiles.Token}{"}"}
        """);

    [Fact]
    public async Task Requests_go_through_the_proxy_url_of_the_cluster()
    {
        await using var proxy = FakeApiServer.Start(r => r.Target == "http://kube.invalid:6443/version"
            ? FakeReply.Json(200, CannedApi.Version)
            : FakeReply.Json(502, "{}"));
        using var session = KubeSession.Open([Config(proxy.Url)], "proxied");

        Assert.Equal("v1.32.13", await session.GetServerVersionAsync());
        var request = Assert.Single(proxy.Requests);
        Assert.Equal("http://kube.invalid:6443/version", request.Target);
        Assert.Equal("kube.invalid:6443", request.Header("Host"));
    }

    [Fact]
    public async Task A_proxy_url_changed_on_disk_is_used_by_the_next_session()
    {
        // proxy-url is parsed once per file version (docs/design/in-cluster-probes.md, "The cost"): a rewritten file is read again.
        await using var first = FakeApiServer.Start(_ => FakeReply.Json(200, CannedApi.Version));
        await using var second = FakeApiServer.Start(_ => FakeReply.Json(200, CannedApi.Version));
        var file = Config(first.Url);
        using (var session = KubeSession.Open([file], "proxied"))
        {
            await session.GetServerVersionAsync();
        }

        Assert.Equal(file, Config(second.Url + "/"));
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));
        using (var session = KubeSession.Open([file], "proxied"))
        {
            await session.GetServerVersionAsync();
        }

        Assert.Single(first.Requests);
        Assert.Single(second.Requests);
    }

    [Fact]
    public void A_proxy_url_that_is_not_a_URL_is_KubeconfigInvalid()
    {
        var file = Config("not a url");

        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "proxied"));

        Assert.Equal("KubeconfigInvalid", error.ErrorId);
        Assert.Equal(file, error.Target);
    }

    [Fact]
    public void Proxy_urls_are_read_once_per_file_version()
    {
        // docs/design/scale.md: every session of a fleet names every kubeconfig file; each is read once while unchanged.
        var file = Config("http://127.0.0.1:3128");
        var stamp = File.GetLastWriteTimeUtc(file);
        Assert.Equal("http://127.0.0.1:3128", KubeconfigProxies.Find([file], "behind-proxy"));

        // Same length and timestamp: the cached reading stands (the documented limit of the cache key).
        File.WriteAllText(file, File.ReadAllText(file).Replace("3128", "3129", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(file, stamp);
        Assert.Equal("http://127.0.0.1:3128", KubeconfigProxies.Find([file], "behind-proxy"));

        File.SetLastWriteTimeUtc(file, stamp.AddSeconds(5));
        Assert.Equal("http://127.0.0.1:3129", KubeconfigProxies.Find([file], "behind-proxy"));
    }

    [Fact]
    public void The_first_file_that_defines_a_cluster_decides_its_proxy()
    {
        var plain = _files.TokenConfig("plain.yaml", "behind-proxy", "https://127.0.0.1:6443");
        var proxied = Config("http://127.0.0.1:3128");

        Assert.Null(KubeconfigProxies.Find([plain, proxied], "behind-proxy"));
        Assert.Equal("http://127.0.0.1:3128", KubeconfigProxies.Find([proxied, plain], "behind-proxy"));
        Assert.Null(KubeconfigProxies.Find([proxied], "other"));
    }
}
