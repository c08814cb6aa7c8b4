using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.KubeConfigModels;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The kubeconfig one remote secret holds for one cluster (docs/design/remote-secrets.md): its key, server and CA, and
/// a session that authenticates exactly as istiod would (the secret's CA and token). The one parser of remote-secret
/// kubeconfigs (KubernetesClient's own loader); the token is kept only inside the client configuration.
/// </summary>
internal sealed class RemoteSecretKubeconfig
{
    private readonly KubernetesClientConfiguration _config;

    private RemoteSecretKubeconfig(string secretName, string key, string? annotation, ParsedKubeconfigs.Parsed parsed)
    {
        SecretName = secretName;
        Key = key;
        ClusterAnnotation = annotation;
        _config = parsed.Config;
        CertificateAuthority = parsed.CertificateAuthority;
        ContentKey = parsed.ContentKey;
    }

    /// <summary>SHA-256 of the encoded kubeconfig: equal for every copy of the same remote secret content.</summary>
    public string ContentKey { get; }

    public string SecretName { get; }
    public string Key { get; }

    /// <summary>The secret's networking.istio.io/cluster annotation, when set.</summary>
    public string? ClusterAnnotation { get; }

    /// <summary>SHA-256 fingerprints of the CA certificates it trusts (comma-separated, sorted); empty when none.</summary>
    public string CertificateAuthority { get; }
    public string Server => _config.Host ?? "";
    public string? Token => _config.AccessToken;
    public string? TlsServerName => _config.TlsServerName;

    /// <summary>The certificate-authority-data certificates (empty when the kubeconfig has none).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection CaCertificates =>
        _config.SslCaCerts ?? [];

    /// <summary>Every (key, kubeconfig) in the secret's data; keys whose value is not a kubeconfig are left out.</summary>
    public static IEnumerable<RemoteSecretKubeconfig> Read(JsonObject secret)
    {
        var name = ClusterSnapshot.Text(secret["metadata"]?["name"]) ?? "";
        var annotation = ClusterSnapshot.Text(secret["metadata"]?["annotations"]?[Manifests.RemoteSecretRenderer.ClusterAnnotation]);
        foreach (var (key, value) in secret["data"] as JsonObject ?? [])
        {
            if (ClusterSnapshot.Text(value) is not { } encoded)
            {
                continue;
            }

            if (ParsedKubeconfigs.Get(encoded, Parse) is not { } parsed)
            {
                continue;
            }

            yield return new RemoteSecretKubeconfig(name, key, annotation, parsed);
        }
    }

    /// <summary>
    /// KubernetesClient's view of the kubeconfig. One without a usable current context (hand-made, or cut down) still
    /// names its server and CA: those identify the cluster it serves even when no session can be built from it.
    /// </summary>
    private static KubernetesClientConfiguration? Parse(string encoded)
    {
        K8SConfiguration parsed;
        try
        {
            using var stream = new MemoryStream(Convert.FromBase64String(encoded));
            parsed = KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (Exception ex) when (ex is FormatException or k8s.Exceptions.KubeConfigException or YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(parsed);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or InvalidOperationException or ArgumentException or FormatException)
        {
            var cluster = parsed.Clusters?.FirstOrDefault(c => c.Name == parsed.Contexts?.FirstOrDefault(x => x.Name == parsed.CurrentContext)?.ContextDetails?.Cluster)
                          ?? parsed.Clusters?.FirstOrDefault();
            if (cluster?.ClusterEndpoint?.Server is not { Length: > 0 } server)
            {
                return null;
            }

            var config = new KubernetesClientConfiguration { Host = server };
            if (cluster.ClusterEndpoint.CertificateAuthorityData is { Length: > 0 } ca)
            {
                try
                {
                    var authorities = new X509Certificate2Collection();
                    authorities.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(ca)));
                    config.SslCaCerts = authorities;
                }
                catch (Exception caError) when (caError is FormatException or CryptographicException)
                {
                    // An unreadable CA identifies nothing; the server still does.
                }
            }

            return config;
        }
    }

    /// <summary>A session with the secret's credentials; its context name says where it came from.</summary>
    public KubeSession Open(KubeSessionOptions options) =>
        new($"{SecretName}[{Key}]", ParsedKubeconfigs.Copy(_config), options with { MaxAttempts = 1 }, "remote secret token");

    /// <summary>The legacy token Secret named in the token's claims (kubernetes.io/serviceaccount/secret.name), if any.</summary>
    public (string? Namespace, string? Name) TokenSecret()
    {
        var parts = (Token ?? "").Split('.');
        if (parts.Length != 3)
        {
            return (null, null);
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return (ClusterSnapshot.Text(claims?["kubernetes.io/serviceaccount/namespace"]),
                ClusterSnapshot.Text(claims?["kubernetes.io/serviceaccount/secret.name"]));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>Same URL ignoring case of scheme/host, a default port and a trailing slash.</summary>
    public static bool SameServer(string a, Uri? b)
    {
        if (b is null || !Uri.TryCreate(a, UriKind.Absolute, out var ua))
        {
            return false;
        }

        return Uri.Compare(ua, b, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped,
            StringComparison.OrdinalIgnoreCase) == 0 || ua.GetLeftPart(UriPartial.Authority).Equals(
            b.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase) &&
            ua.AbsolutePath.TrimEnd('/') == b.AbsolutePath.TrimEnd('/');
    }
}
