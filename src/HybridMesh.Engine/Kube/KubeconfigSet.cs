using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Several kubeconfig files merged the way kubectl merges them: for clusters, users and contexts the first file that
/// defines a name wins; current-context comes from the first file that sets one. Nothing is ever written back.
/// KubernetesClient can merge KUBECONFIG or pick a context in one file, but not both, so the merge lives here.
/// </summary>
internal sealed class KubeconfigSet
{
    private KubeconfigSet(IReadOnlyList<string> files, K8SConfiguration merged, IReadOnlyDictionary<string, string> origin)
    {
        Files = files;
        Merged = merged;
        ContextOrigin = origin;
    }

    /// <summary>The files that were read, in precedence order.</summary>
    public IReadOnlyList<string> Files { get; }

    public K8SConfiguration Merged { get; }

    /// <summary>Context name → the file that defined it.</summary>
    public IReadOnlyDictionary<string, string> ContextOrigin { get; }

    /// <summary>
    /// Which files to read: the explicit list when given (each must exist), else $KUBECONFIG split on the OS path
    /// separator (missing entries skipped, as kubectl does), else ~/.kube/config.
    /// </summary>
    public static IReadOnlyList<string> ResolveFiles(IReadOnlyList<string>? explicitFiles, string? kubeconfigVariable,
        string homeDirectory)
    {
        if (explicitFiles is { Count: > 0 })
        {
            foreach (var file in explicitFiles)
            {
                if (!File.Exists(file))
                {
                    throw MeshErrors.KubeconfigNotFound(file);
                }
            }

            return explicitFiles.Distinct(StringComparer.Ordinal).ToArray();
        }

        if (!string.IsNullOrWhiteSpace(kubeconfigVariable))
        {
            var fromVariable = kubeconfigVariable
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal)
                .Where(File.Exists)
                .ToArray();
            if (fromVariable.Length == 0)
            {
                throw MeshErrors.KubeconfigNotFound(kubeconfigVariable);
            }

            return fromVariable;
        }

        var fallback = Path.Combine(homeDirectory, ".kube", "config");
        if (!File.Exists(fallback))
        {
            throw MeshErrors.KubeconfigNotFound(fallback);
        }

        return [fallback];
    }

    /// <summary>The merged files; parses come from <see cref="KubeconfigCache"/>, so the set must not be changed.</summary>
    public static KubeconfigSet Load(IReadOnlyList<string> files) => Load(files, file => KubeconfigCache.Get(file, LoadOne));

    /// <summary>The merged files parsed afresh, for a caller that changes the definitions (an exec plugin's credential).</summary>
    public static KubeconfigSet LoadPrivate(IReadOnlyList<string> files) => Load(files, LoadOne);

    private static KubeconfigSet Load(IReadOnlyList<string> files, Func<string, K8SConfiguration> read)
    {
        var merged = new K8SConfiguration
        {
            Clusters = new List<Cluster>(),
            Users = new List<User>(),
            Contexts = new List<Context>(),
        };
        var clusters = new HashSet<string>(StringComparer.Ordinal);
        var users = new HashSet<string>(StringComparer.Ordinal);
        var contexts = new HashSet<string>(StringComparer.Ordinal);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var file in files)
        {
            var config = read(file);
            merged.CurrentContext ??= string.IsNullOrEmpty(config.CurrentContext) ? null : config.CurrentContext;
            foreach (var cluster in config.Clusters ?? [])
            {
                if (cluster?.Name is { } name && clusters.Add(name))
                {
                    ((List<Cluster>)merged.Clusters).Add(cluster);
                }
            }

            foreach (var user in config.Users ?? [])
            {
                if (user?.Name is { } name && users.Add(name))
                {
                    ((List<User>)merged.Users).Add(user);
                }
            }

            foreach (var context in config.Contexts ?? [])
            {
                if (context?.Name is { } name && contexts.Add(name))
                {
                    ((List<Context>)merged.Contexts).Add(context);
                    origin[name] = file;
                }
            }
        }

        return new KubeconfigSet(files, merged, origin);
    }

    private static K8SConfiguration LoadOne(string file)
    {
        try
        {
            // Certificate and key file paths are relative to the kubeconfig's own folder.
            return KubeconfigYaml.Load(new FileInfo(file));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw MeshErrors.KubeconfigUnreadable(file, ex);
        }
        catch (IOException ex)
        {
            throw MeshErrors.KubeconfigUnreadable(file, ex);
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or KubeConfigException or InvalidCastException
                                       or ArgumentException or FormatException)
        {
            throw MeshErrors.KubeconfigInvalid(file, ex);
        }
    }

    public Context? FindContext(string name) => Merged.Contexts?.FirstOrDefault(c => c.Name == name);

    public Cluster? FindCluster(string? name) => Merged.Clusters?.FirstOrDefault(c => c.Name == name);

    public User? FindUser(string? name) => Merged.Users?.FirstOrDefault(u => u.Name == name);

    /// <summary>Context names in file order, as `kubectl config get-contexts` lists them.</summary>
    public IEnumerable<string> ContextNames => Merged.Contexts?.Select(c => c.Name) ?? [];

    /// <summary>A client configuration for one context; the merged object is never written to disk.</summary>
    public KubernetesClientConfiguration BuildClientConfiguration(string context)
    {
        if (FindContext(context) is null)
        {
            throw MeshErrors.ContextNotFound(context, Files, ContextNames);
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(Merged, context);
        }
        catch (KubeConfigException ex) when (!IsExecFailure(ex))
        {
            throw MeshErrors.KubeconfigInvalid(ContextOrigin.GetValueOrDefault(context, Files[0]), ex);
        }
    }

    /// <summary>
    /// KubernetesClient runs a context's exec plugin while it builds the configuration and reports a failing plugin
    /// as a KubeConfigException too; that is not a kubeconfig problem, so the session reports it (ExecPluginFailed).
    /// </summary>
    internal static bool IsExecFailure(KubeConfigException ex) =>
        ex.Message.StartsWith("external exec", StringComparison.Ordinal);
}
