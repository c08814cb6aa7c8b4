using System.Runtime.CompilerServices;
using System.Text;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// Remote-secret kubeconfigs are parsed once per content within a run, and nothing parsed (a token) is kept after the
/// run or outside one (docs/design/scale.md, "Shared strings, per run").
/// </summary>
public sealed class EmbeddedKubeconfigCacheTests
{
    private static string Kubeconfig(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: peer
          cluster:
            server: https://10.0.0.1
        users:
        - name: reader
          user:
            token: {token}
        contexts:
        - name: peer
          context:
            cluster: peer
            user: reader
        current-context: peer
        """));

    [Fact]
    public void Copies_of_one_kubeconfig_are_parsed_once_in_a_run_and_the_cache_is_empty_when_it_ends()
    {
        var token = "run-token-" + Guid.NewGuid();
        var encoded = Kubeconfig(token);
        var copy = new string(encoded.AsSpan()); // another instance with the same text, as two clusters' secrets are
        EmbeddedKubeconfigCache cache;
        using (cache = EmbeddedKubeconfigCache.Begin())
        {
            var first = EmbeddedKubeconfig.Read(encoded);
            Assert.NotNull(first);
            Assert.Equal(token, first.Token);
            Assert.Same(first, EmbeddedKubeconfig.Read(encoded));
            Assert.Same(first, EmbeddedKubeconfig.Read(copy));
            Assert.Equal(1, cache.Count);
        }

        Assert.Null(EmbeddedKubeconfigCache.Current);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Outside_a_run_every_read_parses_and_nothing_stays_referenced()
    {
        var encoded = Kubeconfig("no-run-token-" + Guid.NewGuid());
        var parsed = ReadWeakly(encoded);
        Assert.NotSame(EmbeddedKubeconfig.Read(encoded), EmbeddedKubeconfig.Read(encoded));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(parsed.TryGetTarget(out _), "a kubeconfig read outside any run is still referenced");
    }

    [Fact]
    public void After_a_run_nothing_it_parsed_stays_referenced()
    {
        var encoded = Kubeconfig("ended-run-token-" + Guid.NewGuid());
        WeakReference<EmbeddedKubeconfig> parsed;
        using (EmbeddedKubeconfigCache.Begin())
        {
            parsed = ReadWeakly(encoded);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(parsed.TryGetTarget(out _), "a kubeconfig parsed in an ended run is still referenced");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<EmbeddedKubeconfig> ReadWeakly(string encoded) => new(EmbeddedKubeconfig.Read(encoded)!);
}
