using System.Text.RegularExpressions;
using k8s.KubeConfigModels;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>What Get-MeshCluster asks for.</summary>
public sealed class ClusterQuery
{
    /// <summary>Explicit kubeconfig files (already resolved to absolute paths); empty means $KUBECONFIG or ~/.kube/config.</summary>
    public IReadOnlyList<string> Kubeconfig { get; init; } = [];

    /// <summary>Contexts to return; empty means every context.</summary>
    public IReadOnlyList<string> Context { get; init; } = [];

    /// <summary>Forces the platform of every returned cluster.</summary>
    public ClusterPlatform? Platform { get; init; }

    /// <summary>The value of $KUBECONFIG to honour (null: read the process environment).</summary>
    public string? KubeconfigVariable { get; init; }

    /// <summary>Home directory for the ~/.kube/config fallback (null: the user's profile).</summary>
    public string? HomeDirectory { get; init; }
}

/// <summary>
/// Turns kubeconfig contexts into <see cref="MeshCluster"/> objects. Offline: reads files only.
/// </summary>
public static partial class ClusterDiscovery
{
    // gcloud container clusters get-credentials names contexts gke_{project}_{location}_{cluster}.
    [GeneratedRegex("^gke_(?<project>[a-z][a-z0-9-]{4,28}[a-z0-9])_(?<location>[a-z0-9-]+)_(?<cluster>[a-z0-9-]+)$")]
    private static partial Regex GkeContextPattern();

    /// <summary>Every selected context as a MeshCluster. Unknown contexts are reported to the sink, not thrown.</summary>
    public static IReadOnlyList<MeshCluster> GetClusters(ClusterQuery query, IMeshSink sink)
    {
        var set = LoadSet(query);
        var wanted = query.Context.Count > 0 ? query.Context : set.ContextNames.ToArray();
        var result = new List<MeshCluster>();
        foreach (var name in wanted)
        {
            var context = set.FindContext(name) ?? FindByShortName(set, name);
            if (context is null)
            {
                sink.Error(MeshErrors.ContextNotFound(name, set.Files, set.ContextNames));
                continue;
            }

            var cluster = Describe(set, context, query.Platform);
            if (cluster.Authentication == "AuthProvider:gcp")
            {
                sink.Warning($"Context '{name}' uses the removed 'gcp' auth-provider, which current clients cannot " +
                             "use. Install gke-gcloud-auth-plugin and re-run 'gcloud container clusters get-credentials'.");
            }

            result.Add(cluster);
        }

        return result;
    }

    /// <summary>
    /// A context named by the short name the views show (the GKE cluster name of a gke_* context), when exactly one
    /// context has it; a context of that exact name always wins (docs/design/cluster-names.md). Several matches are
    /// ClusterNameAmbiguous, listing their contexts.
    /// </summary>
    private static Context? FindByShortName(KubeconfigSet set, string name)
    {
        var matches = set.ContextNames
            .Where(c => !string.Equals(c, name, StringComparison.Ordinal) &&
                        string.Equals(ClusterShortName.FromContext(c), name, StringComparison.Ordinal))
            .ToArray();
        return matches.Length switch
        {
            0 => null,
            1 => set.FindContext(matches[0]),
            _ => throw MeshErrors.ClusterNameAmbiguous("-Context", name, matches),
        };
    }

    /// <summary>Context names for tab completion: local files only, never a cluster call, never an error.</summary>
    public static IReadOnlyList<string> CompleteContexts(IReadOnlyList<string> kubeconfig, string prefix)
    {
        try
        {
            var set = LoadSet(new ClusterQuery { Kubeconfig = kubeconfig.Where(File.Exists).ToArray() });
            return set.ContextNames.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToArray();
        }
        catch (Exception)
        {
            return [];
        }
    }

    internal static KubeconfigSet LoadSet(ClusterQuery query)
    {
        var files = KubeconfigSet.ResolveFiles(query.Kubeconfig,
            query.KubeconfigVariable ?? Environment.GetEnvironmentVariable("KUBECONFIG"),
            query.HomeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        return KubeconfigSet.Load(files);
    }

    internal static MeshCluster Describe(KubeconfigSet set, Context context, ClusterPlatform? forced)
    {
        var clusterName = context.ContextDetails?.Cluster;
        var userName = context.ContextDetails?.User;
        var server = set.FindCluster(clusterName)?.ClusterEndpoint?.Server ?? "";
        var user = set.FindUser(userName);
        var auth = DescribeAuthentication(user);

        string? project = null, location = null, gkeCluster = null;
        var match = GkeContextPattern().Match(context.Name);
        if (match.Success)
        {
            project = match.Groups["project"].Value;
            location = match.Groups["location"].Value;
            gkeCluster = match.Groups["cluster"].Value;
        }

        var usesGkePlugin = auth.StartsWith("Exec:", StringComparison.Ordinal) &&
                            auth.Contains("gke-gcloud-auth-plugin", StringComparison.OrdinalIgnoreCase);
        var isConnectGateway = server.Contains("connectgateway.googleapis.com", StringComparison.OrdinalIgnoreCase);
        var platform = forced ?? (match.Success || (usesGkePlugin && !isConnectGateway)
            ? ClusterPlatform.Gke
            : ClusterPlatform.OnPrem);

        var name = gkeCluster ?? context.Name;
        // The whole list, in the same order: merging it again must give the same definitions (first one wins).
        return new MeshCluster(name, context.Name, set.Files, server, platform,
            platform == ClusterPlatform.Gke ? project : null,
            platform == ClusterPlatform.Gke ? location : null,
            platform == ClusterPlatform.Gke ? gkeCluster : null,
            auth);
    }

    internal static string DescribeAuthentication(User? user)
    {
        var details = user?.UserCredentials;
        if (details is null)
        {
            return "None";
        }

        if (details.ExternalExecution is { } exec)
        {
            return "Exec:" + Path.GetFileName(exec.Command ?? "");
        }

        if (details.AuthProvider is { } provider)
        {
            return "AuthProvider:" + provider.Name;
        }

        if (!string.IsNullOrEmpty(details.Token))
        {
            return "Token";
        }

        if (!string.IsNullOrEmpty(details.ClientCertificateData) || !string.IsNullOrEmpty(details.ClientCertificate))
        {
            return "ClientCertificate";
        }

        if (!string.IsNullOrEmpty(details.UserName))
        {
            return "Basic";
        }

        return "None";
    }
}
