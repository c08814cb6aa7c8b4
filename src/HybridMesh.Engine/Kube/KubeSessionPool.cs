using System.Collections.Concurrent;
using HybridMesh.Models;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// One session per cluster for the parts of one check run that talk to the same API server at the same time —
/// istiod's view and the in-cluster probe (docs/design/in-cluster-probes.md, "The cost"): one kubeconfig load, one
/// TLS connection (HTTP/2 carries their requests side by side) and one discovery per cluster instead of one per part.
/// A session is opened on first use; a failure to open it is the same for every part and is thrown to each of them.
/// Disposing the pool disposes every session, so it must outlive every request sent through it.
/// </summary>
internal sealed class KubeSessionPool(KubeSessionOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<KubeSession>> _sessions = new(StringComparer.Ordinal);

    public KubeSession For(MeshCluster cluster) =>
        _sessions.GetOrAdd(string.Join('\n', cluster.Kubeconfig.Prepend(cluster.Context)),
            _ => new Lazy<KubeSession>(() => KubeSession.Open(cluster, options))).Value;

    public void Dispose()
    {
        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated))
        {
            session.Value.Dispose();
        }
    }
}
