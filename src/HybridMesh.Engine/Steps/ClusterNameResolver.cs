using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps;

/// <summary>One cluster as the user may name it: its kubeconfig context, its Istio cluster name, its short name.</summary>
internal sealed record ClusterNames(string Context, string? IstioClusterName, string? ShortName)
{
    internal IEnumerable<string> All()
    {
        yield return Context;
        if (!string.IsNullOrEmpty(IstioClusterName))
        {
            yield return IstioClusterName;
        }

        if (!string.IsNullOrEmpty(ShortName))
        {
            yield return ShortName;
        }
    }
}

/// <summary>
/// "A name the user gave → which cluster", shared by every parameter that names a cluster (-Context with an
/// environment, -ServerOverride keys, -Leaving, -Network keys): a kubeconfig context, an Istio cluster name
/// (istiod's CLUSTER_ID) or the short name of the views all work. An exact (ordinal) match wins; only when nothing
/// matches exactly is case ignored, since PowerShell hashtable keys are case-insensitive while contexts are not.
/// A name that fits two clusters is an error naming them, never a guess (docs/design/cluster-names.md).
/// </summary>
internal sealed class ClusterNameResolver
{
    private readonly IReadOnlyList<ClusterNames> _clusters;

    public ClusterNameResolver(IEnumerable<ClusterNames> clusters)
    {
        _clusters = clusters.ToArray();
    }

    /// <summary>Every name that resolves, for error messages and completion (contexts first).</summary>
    public IReadOnlyList<string> ValidNames =>
        _clusters.Select(c => c.Context)
            .Concat(_clusters.Select(c => c.IstioClusterName).OfType<string>())
            .Concat(_clusters.Select(c => c.ShortName).OfType<string>())
            .Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The index of the one cluster <paramref name="name"/> names; throws ClusterNameUnknown/Ambiguous.</summary>
    public int Resolve(string parameter, string name)
    {
        foreach (var comparison in new[] { StringComparison.Ordinal, StringComparison.OrdinalIgnoreCase })
        {
            var matches = Enumerable.Range(0, _clusters.Count)
                .Where(i => _clusters[i].All().Any(n => string.Equals(n, name, comparison)))
                .ToArray();
            if (matches.Length == 1)
            {
                return matches[0];
            }

            if (matches.Length > 1)
            {
                throw MeshErrors.ClusterNameAmbiguous(parameter, name, matches.Select(i => _clusters[i].Context));
            }
        }

        throw MeshErrors.ClusterNameUnknown(parameter, name, ValidNames);
    }

    /// <summary>Resolves every name; the indexes in input order (a cluster named twice appears once).</summary>
    public IReadOnlyList<int> ResolveAll(string parameter, IEnumerable<string> names) =>
        names.Select(n => Resolve(parameter, n)).Distinct().ToArray();
}
