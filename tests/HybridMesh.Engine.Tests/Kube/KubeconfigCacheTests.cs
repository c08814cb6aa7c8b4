using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// Kubeconfig files are parsed once per process while they are unchanged (docs/design/scale.md: every cluster of a
/// fleet carries the whole file list, and parsing it per session was N² parses), and again as soon as they change.
/// </summary>
public sealed class KubeconfigCacheTests
{
    [Fact]
    public void Unchanged_files_are_parsed_once_for_every_set_that_names_them()
    {
        using var files = new KubeTestFiles();
        var paths = Enumerable.Range(1, 5).Select(i => files.TokenConfig($"c{i}.yaml", $"ctx{i}", $"https://127.0.0.1:{6440 + i}")).ToArray();

        var first = KubeconfigSet.Load(paths);
        var second = KubeconfigSet.Load(paths);

        Assert.Equal(5, first.ContextNames.Count());
        Assert.All(first.ContextNames, name => Assert.Same(first.FindContext(name), second.FindContext(name)));
    }

    [Fact]
    public void A_changed_file_is_parsed_again()
    {
        using var files = new KubeTestFiles();
        var path = files.TokenConfig("a.yaml", "ctx", "https://127.0.0.1:6443");
        var before = KubeconfigSet.Load([path]);
        Assert.Equal("https://127.0.0.1:6443", before.FindCluster("ctx")!.ClusterEndpoint.Server);

        files.TokenConfig("a.yaml", "ctx", "https://127.0.0.1:16443");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        var after = KubeconfigSet.Load([path]);

        Assert.Equal("https://127.0.0.1:16443", after.FindCluster("ctx")!.ClusterEndpoint.Server);
    }

    [Fact]
    public void A_private_load_never_shares_definitions_with_the_cache()
    {
        using var files = new KubeTestFiles();
        var path = files.TokenConfig("a.yaml", "ctx", "https://127.0.0.1:6443");
        var shared = KubeconfigSet.Load([path]);
        var owned = KubeconfigSet.LoadPrivate([path]);

        Assert.NotSame(shared.FindUser("ctx"), owned.FindUser("ctx"));
        owned.FindUser("ctx")!.UserCredentials.Token = "changed";
        Assert.Equal(KubeTestFiles.Token, KubeconfigSet.Load([path]).FindUser("ctx")!.UserCredentials.Token);
    }
}
