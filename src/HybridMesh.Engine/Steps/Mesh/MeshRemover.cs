using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>What Remove-Mesh was asked to do.</summary>
public sealed class MeshRemovalRequest
{
    public required IReadOnlyList<MeshTarget> Targets { get; init; }

    /// <summary>Contexts leaving the mesh; empty: every target (the whole mesh is taken apart).</summary>
    public IReadOnlyList<string> Leaving { get; init; } = [];

    /// <summary>Also delete the reader token Secrets of the leaving clusters (revokes every copy of their token).</summary>
    public bool IncludeReaderToken { get; init; }

    public int ThrottleLimit { get; init; } = PerCluster.DefaultThrottleLimit;
    public KubeSessionOptions Kube { get; init; } = new();
}

/// <summary>
/// Remove-Mesh: deletes remote secrets (label istio/multiCluster=true in istio-system). For a leaving cluster, all its
/// remote secrets and, in every other cluster, the secrets that point at it (by data key or annotation). asmcli
/// never deletes any, which leaves istiod reading clusters that left (spec §C.1).
/// </summary>
public static class MeshRemover
{
    private const string Ns = ClusterInspector.IstioNamespace;

    /// <summary>Returns how many objects were deleted.</summary>
    public static async Task<int> RemoveAsync(MeshRemovalRequest request, IMeshSink sink, CancellationToken ct)
    {
        var options = request.Kube with { Sink = request.Kube.Sink ?? sink };
        var leavingAll = request.Leaving.Count == 0;

        // The Istio cluster names of the leaving clusters are the keys to look for elsewhere.
        var names = await PerCluster.RunAsync(request.Targets, request.ThrottleLimit, sink, 1, "Reading clusters", t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, options);
                var istiods = await session.ListAsync("apps/v1", "Deployment", Ns, "app=istiod", token).ConfigureAwait(false);
                return istiods.Select(d => ClusterInspector.Env(d, "CLUSTER_ID")).FirstOrDefault(id => !string.IsNullOrEmpty(id)) ?? "";
            }, ct).ConfigureAwait(false);
        // -Leaving names a cluster by context, Istio cluster name or short name; an unknown one stops the run before
        // any delete (docs/design/cluster-names.md).
        var resolver = new ClusterNameResolver(request.Targets.Select((t, i) => new ClusterNames(t.Context, names[i], t.Cluster.Name)));
        var leaving = new HashSet<string>(leavingAll
            ? request.Targets.Select(t => t.Context)
            : resolver.ResolveAll("-Leaving", request.Leaving).Select(i => request.Targets[i].Context), StringComparer.Ordinal);
        var leavingNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Targets.Count; i++)
        {
            if (leaving.Contains(request.Targets[i].Context) && !string.IsNullOrEmpty(names[i]))
            {
                leavingNames.Add(names[i]!);
            }
        }

        var deleted = 0;
        await PerCluster.RunAsync(request.Targets, request.ThrottleLimit, sink, 2, "Removing remote secrets", t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, options);
                var all = leaving.Contains(target.Context);
                var secrets = await session.ListAsync("v1", "Secret", Ns, RemoteSecretRenderer.MultiClusterLabel + "=true", token)
                    .ConfigureAwait(false);
                foreach (var secret in secrets)
                {
                    if (!all && !RemoteSecrets.ClusterNames(secret).Any(leavingNames.Contains))
                    {
                        continue;
                    }

                    if (await DeleteAsync(session, ManifestObjects.Name(secret), "remote secret", target, sink, token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref deleted);
                    }
                }

                if (all && request.IncludeReaderToken)
                {
                    var tokens = await session.ListAsync("v1", "Secret", Ns, cancellationToken: token).ConfigureAwait(false);
                    foreach (var secret in tokens.Where(ReaderIdentity.IsReaderToken))
                    {
                        if (await DeleteAsync(session, ManifestObjects.Name(secret), "reader token", target, sink, token).ConfigureAwait(false))
                        {
                            Interlocked.Increment(ref deleted);
                        }
                    }
                }

                return target;
            }, ct).ConfigureAwait(false);
        return deleted;
    }

    private static async Task<bool> DeleteAsync(KubeSession session, string name, string what, MeshTarget target, IMeshSink sink,
        CancellationToken ct)
    {
        if (!sink.ShouldProcess($"Secret {Ns}/{name} in context '{target.Context}'", $"Delete {what}"))
        {
            return false;
        }

        if (!await session.DeleteAsync("v1", "Secret", Ns, name, cancellationToken: ct).ConfigureAwait(false))
        {
            return false;
        }

        sink.Verbose($"[{target.Context}] Deleted {what} {Ns}/{name}.");
        return true;
    }
}
