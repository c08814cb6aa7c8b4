using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The kubeconfig one remote secret holds for one cluster (docs/design/remote-secrets.md): its key, server and CA, and
/// a session that authenticates exactly as istiod would (the secret's CA and token). Parsed by
/// <see cref="EmbeddedKubeconfig"/> (under Kube/, the one place KubernetesClient is used), the one parser of remote-secret
/// kubeconfigs.
/// </summary>
internal sealed class RemoteSecretKubeconfig
{
    private readonly EmbeddedKubeconfig _kubeconfig;

    private RemoteSecretKubeconfig(string secretName, string key, string? annotation, EmbeddedKubeconfig kubeconfig)
    {
        SecretName = secretName;
        Key = key;
        ClusterAnnotation = annotation;
        _kubeconfig = kubeconfig;
    }

    /// <summary>SHA-256 of the encoded kubeconfig: equal for every copy of the same remote secret content.</summary>
    public string ContentKey => _kubeconfig.ContentKey;

    public string SecretName { get; }
    public string Key { get; }

    /// <summary>The secret's networking.istio.io/cluster annotation, when set.</summary>
    public string? ClusterAnnotation { get; }

    /// <summary>SHA-256 fingerprints of the CA certificates it trusts (comma-separated, sorted); empty when none.</summary>
    public string CertificateAuthority => _kubeconfig.CertificateAuthority;
    public string Server => _kubeconfig.Server;
    public string? Token => _kubeconfig.Token;
    public string? TlsServerName => _kubeconfig.TlsServerName;

    /// <summary>The certificate-authority-data certificates (empty when the kubeconfig has none).</summary>
    public X509Certificate2Collection CaCertificates => _kubeconfig.CaCertificates;

    /// <summary>Every (key, kubeconfig) in the secret's data; keys whose value is not a kubeconfig are left out.</summary>
    public static IEnumerable<RemoteSecretKubeconfig> Read(JsonObject secret) => Read(RemoteSecretEntry.From(secret));

    /// <inheritdoc cref="Read(JsonObject)"/>
    public static IEnumerable<RemoteSecretKubeconfig> Read(RemoteSecretEntry secret)
    {
        var name = secret.Name;
        var annotation = secret.Annotation(Manifests.RemoteSecretRenderer.ClusterAnnotation);
        foreach (var (key, value) in secret.Data)
        {
            if (value is not { } encoded)
            {
                continue;
            }

            if (EmbeddedKubeconfig.Read(encoded) is not { } parsed)
            {
                continue;
            }

            yield return new RemoteSecretKubeconfig(name, key, annotation, parsed);
        }
    }

    /// <summary>A session with the secret's credentials; its context name says where it came from.</summary>
    public KubeSession Open(KubeSessionOptions options) =>
        _kubeconfig.Open($"{SecretName}[{Key}]", options with { MaxAttempts = 1 }, "remote secret token");

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
