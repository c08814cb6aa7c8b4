using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps;
using HybridMesh.Models;

namespace HybridMesh.Engine.Completion;

/// <summary>
/// Values for tab completion of parameters that name clusters or revisions (docs/design/cluster-picking.md).
/// Never throws: a completer that fails shows nothing. Names from kubeconfig files are offline; Istio cluster
/// names and revisions need the clusters, which are asked only within <see cref="QuickBudget"/>.
/// </summary>
internal static class ClusterCompletion
{
    /// <summary>How long a completer may wait for the clusters in total; after that it offers nothing from them.</summary>
    public static readonly TimeSpan QuickBudget = TimeSpan.FromSeconds(2);

    /// <summary>The clusters of these files (empty: $KUBECONFIG or ~/.kube/config), or none.</summary>
    public static IReadOnlyList<MeshCluster> Clusters(IReadOnlyList<string> kubeconfig, IReadOnlyList<string> contexts)
    {
        try
        {
            var existing = kubeconfig.Where(File.Exists).ToArray();
            if (kubeconfig.Count > 0 && existing.Length == 0)
            {
                return [];
            }

            var query = new ClusterQuery { Kubeconfig = existing, Context = contexts };
            return ClusterDiscovery.GetClusters(query, NullMeshSink.Instance);
        }
        catch (Exception)
        {
            return [];
        }
    }

    /// <summary>The clusters with live facts, for those that answered within the budget; none on any failure.</summary>
    public static IReadOnlyList<MeshCluster> QuickDetails(IReadOnlyList<MeshCluster> clusters, TimeSpan? budget = null)
    {
        if (clusters.Count == 0)
        {
            return [];
        }

        var limit = budget ?? QuickBudget;
        using var timeout = new CancellationTokenSource(limit);
        var options = new KubeSessionOptions
        {
            Timeout = limit,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        try
        {
            var work = ClusterInspector.InspectManyAsync(clusters, options, NullMeshSink.Instance, clusters.Count, timeout.Token);
            // The wait is bounded even if a request ignores the token: completion must never hang the prompt.
            return work.Wait(limit + TimeSpan.FromMilliseconds(250)) ? work.Result : [];
        }
        catch (Exception)
        {
            return [];
        }
    }

    /// <summary>Every name a cluster can be given by: context, short name, and the Istio cluster name when known.</summary>
    public static IEnumerable<string> Names(MeshCluster cluster)
    {
        yield return cluster.Context;
        if (!string.Equals(cluster.Name, cluster.Context, StringComparison.Ordinal))
        {
            yield return cluster.Name;
        }

        if (cluster.Details?.IstioClusterName is { Length: > 0 } istio)
        {
            yield return istio;
        }
    }
}
