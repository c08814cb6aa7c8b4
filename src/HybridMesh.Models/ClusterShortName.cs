using System.Text.RegularExpressions;

namespace HybridMesh.Models;

/// <summary>
/// The one short name every default view shows for a cluster (the column "Cluster"): the GKE cluster name for a
/// context written by `gcloud container clusters get-credentials` (gke_&lt;project&gt;_&lt;location&gt;_&lt;cluster&gt;),
/// else the context itself. The context and the Istio cluster name stay properties of the objects; every parameter
/// that names a cluster accepts all three (docs/design/cluster-names.md).
/// </summary>
public static class ClusterShortName
{
    private static readonly Regex GkeContext = new(
        "^gke_(?<project>[a-z][a-z0-9-]{4,28}[a-z0-9])_(?<location>[a-z0-9-]+)_(?<cluster>[a-z0-9-]+)$",
        RegexOptions.CultureInvariant);

    /// <summary>The short name of a context; null or empty stays empty.</summary>
    public static string FromContext(string? context)
    {
        if (string.IsNullOrEmpty(context))
        {
            return "";
        }

        var match = GkeContext.Match(context);
        return match.Success ? match.Groups["cluster"].Value : context;
    }
}
