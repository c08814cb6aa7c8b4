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
    /// <summary>The proxy-url of <paramref name="clusterName"/>, or null. Files that cannot be read as YAML are skipped (they were validated before).</summary>
    public static string? Find(IReadOnlyList<string> files, string? clusterName)
    {
        if (string.IsNullOrEmpty(clusterName))
        {
            return null;
        }

        foreach (var file in files)
        {
            YamlStream yaml = new();
            try
            {
                using var reader = new StreamReader(file);
                yaml.Load(reader);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
            {
                continue;
            }

            if (yaml.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root ||
                !root.Children.TryGetValue(new YamlScalarNode("clusters"), out var clustersNode) ||
                clustersNode is not YamlSequenceNode clusters)
            {
                continue;
            }

            foreach (var entry in clusters.OfType<YamlMappingNode>())
            {
                if (!entry.Children.TryGetValue(new YamlScalarNode("name"), out var name) ||
                    (name as YamlScalarNode)?.Value != clusterName)
                {
                    continue;
                }

                // The first definition of the cluster decides, with or without a proxy.
                return entry.Children.TryGetValue(new YamlScalarNode("cluster"), out var cluster) &&
                       cluster is YamlMappingNode details &&
                       details.Children.TryGetValue(new YamlScalarNode("proxy-url"), out var proxy) &&
                       proxy is YamlScalarNode { Value: { Length: > 0 } url }
                    ? url
                    : null;
            }
        }

        return null;
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
