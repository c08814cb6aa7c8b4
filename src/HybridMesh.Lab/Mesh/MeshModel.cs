using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// the design (docs/design/assemblies.md)'s mesh model: whether a sidecar in cluster A can reach workloads of cluster B, decided only from
/// the objects stored in both clusters, as istiod in A and the gateway in B would see them:
/// A holds a remote secret for B keyed by B's cluster id, whose kubeconfig server is B's and whose token
/// authenticates against B with list rights on services and endpoints; B's east-west gateway Service has an
/// address (load balancer or externalIPs) and carries B's network label, and A and B are on different networks;
/// B has a Gateway with AUTO_PASSTHROUGH on 15443 selecting istio: eastwestgateway; A and B share a root.
/// </summary>
public sealed class MeshModel(NetworkPartitions? partitions = null)
{
    /// <summary>What a remote secret's kubeconfig says: where, with which token, trusting which CA (PEM).</summary>
    internal sealed record RemoteKubeconfig(string? Server, string? Token, string? CaPem);

    private const string Ns = "istio-system";
    private const string NetworkLabel = "topology.istio.io/network";

    /// <summary>Null when A reaches B's endpoints; else the first broken condition, in words.</summary>
    public async Task<string?> BrokenLinkAsync(LabCluster a, LabCluster b, CancellationToken ct)
    {
        if (a == b) return null;
        // Pod-side network faults (docs/design/istiod-view.md): istiod in A cannot watch B, or sidecars cannot reach B's gateway.
        if (partitions?.IsCut(a, b, PartitionTarget.ApiServer) == true) return $"pods of {a.Name} cannot reach {b.Name}'s API server";
        if (partitions?.IsCut(a, b, PartitionTarget.Gateway) == true) return $"pods of {a.Name} cannot reach {b.Name}'s east-west gateway";
        if (await RemoteSecretProblemAsync(a, b, ct) is { } secret) return secret;
        var netA = Network(a);
        var netB = Network(b);
        if (string.IsNullOrEmpty(netB)) return $"{b.Name} has no network label";
        if (netA == netB) return $"{a.Name} and {b.Name} are both on network '{netA}' (pod IPs are not routable across)";
        if (!GatewayServiceReady(b, netB)) return $"{b.Name} has no east-west gateway Service with an address for network '{netB}'";
        if (!ExposesServices(b)) return $"{b.Name} exposes no services with AUTO_PASSTHROUGH on 15443";
        if (!ShareRoot(a, b)) return $"{a.Name} and {b.Name} share no root certificate";
        return null;
    }

    private static string? Network(LabCluster c) =>
        (string?)c.GetObject("v1", "Namespace", null, Ns)?["metadata"]?["labels"]?[NetworkLabel];

    private async Task<string?> RemoteSecretProblemAsync(LabCluster a, LabCluster b, CancellationToken ct)
    {
        foreach (var secret in a.ListObjects("v1", "Secret", Ns))
        {
            if ((string?)secret["metadata"]?["labels"]?["istio/multiCluster"] != "true") continue;
            if (secret["data"]?[b.ClusterId] is not JsonValue value || value.GetValue<string>() is not { } encoded) continue;
            var (server, token, _) = ReadKubeconfig(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            var reaches = partitions?.ResolveFromPod([b], server) ??
                (string.Equals(server?.TrimEnd('/'), b.Server.TrimEnd('/'), StringComparison.OrdinalIgnoreCase) ? b : null);
            if (reaches != b)
                return $"{a.Name}'s remote secret for {b.ClusterId} points at {server}, not {b.Server}";
            if (string.IsNullOrEmpty(token)) return $"{a.Name}'s remote secret for {b.ClusterId} has no token";
            // What istiod does first with a new remote cluster: list services and endpoints with the secret's token.
            using var http = b.CreateHttpClient(token);
            foreach (var path in new[] { "/api/v1/services?limit=1", "/api/v1/endpoints?limit=1" })
            {
                using var response = await http.GetAsync(path, ct);
                if (!response.IsSuccessStatusCode)
                    return $"{b.Name} answers {(int)response.StatusCode} to {a.Name}'s remote secret token on {path}";
            }

            return null;
        }

        return $"{a.Name} holds no remote secret keyed '{b.ClusterId}'";
    }

    // A kubeconfig text always reads the same: kept, so that the simulated kubelet and istiod do not parse the same remote
    // secret once per probe call (20 clusters: 380 YAML parses per Test-MeshConnectivity, the lab's largest cost).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RemoteKubeconfig> Parsed = new(StringComparer.Ordinal);

    internal static RemoteKubeconfig ReadKubeconfig(string text)
    {
        if (Parsed.TryGetValue(text, out var known)) return known;
        var parsed = ParseKubeconfig(text);
        if (Parsed.Count >= 4096) Parsed.Clear();
        Parsed[text] = parsed;
        return parsed;
    }

    private static RemoteKubeconfig ParseKubeconfig(string text)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        string? Scalar(YamlNode? n, params string[] path)
        {
            foreach (var key in path)
            {
                if (n is YamlSequenceNode seq) n = seq.Children.FirstOrDefault();
                if (n is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out n)) return null;
            }

            return (n as YamlScalarNode)?.Value;
        }

        var ca = Scalar(root, "clusters", "cluster", "certificate-authority-data");
        return new RemoteKubeconfig(Scalar(root, "clusters", "cluster", "server"), Scalar(root, "users", "user", "token"),
            ca is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(ca)));
    }

    private static bool GatewayServiceReady(LabCluster b, string network) =>
        b.ListObjects("v1", "Service", Ns).Any(s =>
            (string?)s["metadata"]?["labels"]?[NetworkLabel] == network &&
            (s["spec"]?["ports"] as JsonArray ?? []).Any(p => (int?)p?["port"] == 15443) &&
            (s["status"]?["loadBalancer"]?["ingress"] is JsonArray { Count: > 0 } || s["spec"]?["externalIPs"] is JsonArray { Count: > 0 }));

    private static bool ExposesServices(LabCluster b) =>
        new[] { "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3" }
            .SelectMany(v => TryList(b, v, "Gateway")).Any(g =>
                (string?)g["spec"]?["selector"]?["istio"] == "eastwestgateway" &&
                (g["spec"]?["servers"] as JsonArray ?? []).Any(s =>
                    (int?)s?["port"]?["number"] == 15443 && (string?)s?["tls"]?["mode"] == "AUTO_PASSTHROUGH"));

    private static IReadOnlyList<JsonObject> TryList(LabCluster c, string apiVersion, string kind)
    {
        try { return c.ListObjects(apiVersion, kind, Ns); }
        catch (Exception) { return []; } // the version is not served (older Istio)
    }

    private static bool ShareRoot(LabCluster a, LabCluster b)
    {
        var ra = Roots(a);
        return Roots(b).Any(ra.Contains);
    }

    private static HashSet<string> Roots(LabCluster c)
    {
        var pem = (string?)c.GetObject("v1", "ConfigMap", Ns, "istio-ca-root-cert")?["data"]?["root-cert.pem"] ?? "";
        var set = new HashSet<string>(StringComparer.Ordinal);
        var collection = new X509Certificate2Collection();
        try { collection.ImportFromPem(pem); } catch (Exception) { return set; }
        foreach (var cert in collection) set.Add(cert.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        return set;
    }
}
