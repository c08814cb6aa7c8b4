using System.Collections.Concurrent;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// The per-cluster proxy-url of kubeconfig files (clusters[].cluster.proxy-url; http, https or socks5), which
/// KubernetesClient's kubeconfig model does not read. Same merge rule as the rest: the first file that defines a
/// cluster name wins. Without proxy-url the client follows HTTPS_PROXY/NO_PROXY as usual.
/// </summary>
internal static class KubeconfigProxies
{
    // Parsed once per file version (path, last write, length), as KubeconfigCache does for the rest of the file: every
    // session of a fleet carries the whole file list, and parsing each file again for every session made YAML the
    // largest cost of opening one (docs/design/in-cluster-probes.md, "The cost").
    private static readonly ConcurrentDictionary<string, (DateTime LastWriteUtc, long Length, IReadOnlyDictionary<string, string?>? Proxies)> Files =
        new(StringComparer.Ordinal);

    /// <summary>The proxy-url of <paramref name="clusterName"/>, or null. Files that cannot be read as YAML are skipped (they were validated before).</summary>
    public static string? Find(IReadOnlyList<string> files, string? clusterName)
    {
        if (string.IsNullOrEmpty(clusterName))
        {
            return null;
        }

        foreach (var file in files)
        {
            // The first definition of the cluster decides, with or without a proxy.
            if (ProxiesOf(file) is { } proxies && proxies.TryGetValue(clusterName, out var url))
            {
                return url;
            }
        }

        return null;
    }

    /// <summary>cluster name → proxy-url (null when the first definition in the file has none), or null when the file cannot be read.</summary>
    private static IReadOnlyDictionary<string, string?>? ProxiesOf(string file)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(file);
            if (!info.Exists)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }

        if (Files.TryGetValue(info.FullName, out var cached) && cached.LastWriteUtc == info.LastWriteTimeUtc && cached.Length == info.Length)
        {
            return cached.Proxies;
        }

        var proxies = Parse(file);
        if (Files.Count >= 4096)
        {
            Files.Clear();
        }

        Files[info.FullName] = (info.LastWriteTimeUtc, info.Length, proxies);
        return proxies;
    }

    private static IReadOnlyDictionary<string, string?>? Parse(string file)
    {
        YamlStream yaml = new();
        try
        {
            using var reader = new StreamReader(file);
            yaml.Load(reader);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            return null;
        }

        var proxies = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (yaml.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root ||
            !root.Children.TryGetValue(new YamlScalarNode("clusters"), out var clustersNode) ||
            clustersNode is not YamlSequenceNode clusters)
        {
            return proxies;
        }

        foreach (var entry in clusters.OfType<YamlMappingNode>())
        {
            if (!entry.Children.TryGetValue(new YamlScalarNode("name"), out var name) ||
                (name as YamlScalarNode)?.Value is not { } clusterName || proxies.ContainsKey(clusterName))
            {
                continue;
            }

            proxies[clusterName] = entry.Children.TryGetValue(new YamlScalarNode("cluster"), out var cluster) &&
                                   cluster is YamlMappingNode details &&
                                   details.Children.TryGetValue(new YamlScalarNode("proxy-url"), out var proxy) &&
                                   proxy is YamlScalarNode { Value: { Length: > 0 } url }
                ? url
                : null;
        }

        return proxies;
    }

    /// <summary>A WebProxy for the URL; user:password in it become the proxy credentials (and are not kept in the address).</summary>
    public static WebProxy Create(string proxyUrl, string kubeconfigFile)
    {
        if (!Uri.TryCreate(proxyUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "socks5" or "socks4" or "socks4a"))
        {
            throw MeshErrors.KubeconfigInvalid(kubeconfigFile,
                new FormatException("proxy-url must be an absolute http, https or socks5 URL."));
        }

        var address = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        var proxy = new WebProxy(address) { BypassProxyOnLocal = false };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            proxy.Credentials = new NetworkCredential(Uri.UnescapeDataString(parts[0]),
                parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }

        return proxy;
    }
}
