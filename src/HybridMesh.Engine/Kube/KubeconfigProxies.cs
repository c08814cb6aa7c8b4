using System.Collections.Concurrent;
using System.Net;
using YamlDotNet.RepresentationModel;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// The per-cluster proxy-url of kubeconfig files (clusters[].cluster.proxy-url; http, https or socks5), which
/// KubernetesClient's kubeconfig model does not read. Same merge rule as the rest: the first file that defines a
/// cluster name wins. Without proxy-url the client follows HTTPS_PROXY/NO_PROXY as usual.
/// </summary>
internal static class KubeconfigProxies
{
    private const int Capacity = 4096;

    // Each file's clusters and their proxy-url (null: none), parsed once per process per file version, keyed like
    // KubeconfigCache (full path, last write time, length): every cluster of a fleet carries the whole file list, and
    // reading all of it as YAML for every session was again N² parses (docs/design/scale.md).
    private static readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    private sealed record Entry(DateTime LastWriteUtc, long Length, IReadOnlyDictionary<string, string?> Proxies);

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

        var key = info.FullName;
        if (Entries.TryGetValue(key, out var entry) && entry.LastWriteUtc == info.LastWriteTimeUtc && entry.Length == info.Length)
        {
            return entry.Proxies;
        }

        var proxies = Parse(file);
        if (proxies is null)
        {
            return null;
        }

        if (Entries.Count >= Capacity)
        {
            Entries.Clear();
        }

        Entries[key] = new Entry(info.LastWriteTimeUtc, info.Length, proxies);
        return proxies;
    }

    /// <summary>Every cluster name of one file (its first definition) with its proxy-url or null; null when unreadable.</summary>
    private static Dictionary<string, string?>? Parse(string file)
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
            if (!entry.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode) ||
                nameNode is not YamlScalarNode { Value: { } name } || proxies.ContainsKey(name))
            {
                continue;
            }

            proxies[name] = entry.Children.TryGetValue(new YamlScalarNode("cluster"), out var cluster) &&
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
