using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.KubeConfigModels;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// A kubeconfig carried as base64 text inside a Secret (a remote secret's data; docs/design/remote-secrets.md), read
/// with KubernetesClient's own loader. The token stays inside the client configuration and leaves only through
/// <see cref="Token"/> (for the token-age checks, never printed) and the sessions it opens.
/// </summary>
/// <remarks>
/// Parsed once per distinct content: New-Mesh writes the same kubeconfig for a source into every target, so a
/// 250-cluster mesh holds 62,250 copies of 250 kubeconfigs, and parsing each copy (YAML and certificates) was the
/// largest CPU cost of checks and re-runs (docs/design/scale.md). Keyed by a SHA-256 of the encoded text, so no token
/// is a key. Kept for one cmdlet run only (<see cref="KubeRun.Kubeconfigs"/>): the parsed configuration holds the
/// token. Every session gets its own copy of the configuration.
/// </remarks>
internal sealed class EmbeddedKubeconfig
{
    private static readonly Func<object, object> ShallowCopy = (Func<object, object>)Delegate.CreateDelegate(
        typeof(Func<object, object>), typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!);

    private readonly KubernetesClientConfiguration _config;

    private EmbeddedKubeconfig(KubernetesClientConfiguration config, string contentKey)
    {
        _config = config;
        ContentKey = contentKey;
        CertificateAuthority = string.Join(",", (config.SslCaCerts ?? []).Select(c => c.GetCertHashString(HashAlgorithmName.SHA256))
            .Order(StringComparer.Ordinal));
    }

    /// <summary>SHA-256 of the encoded kubeconfig: equal for every copy of the same content.</summary>
    public string ContentKey { get; }

    /// <summary>SHA-256 fingerprints of the CA certificates it trusts (comma-separated, sorted); empty when none.</summary>
    public string CertificateAuthority { get; }

    public string Server => _config.Host ?? "";
    public string? Token => _config.AccessToken;
    public string? TlsServerName => _config.TlsServerName;

    /// <summary>The certificate-authority-data certificates (empty when the kubeconfig has none).</summary>
    public X509Certificate2Collection CaCertificates => _config.SslCaCerts ?? [];

    /// <summary>The kubeconfig in <paramref name="encoded"/> (base64), or null when it is not one.</summary>
    public static EmbeddedKubeconfig? Read(string encoded)
    {
        var key = default(string);
        var cache = KubeRun.Current?.Kubeconfigs;
        if (cache is not null)
        {
            // A fleet's remote secrets repeat the same kubeconfig, and lists hand out one string per distinct text
            // (KubeListItemReader): that string is recognised without encoding and hashing it again, which was 4 KB
            // of garbage per remote secret, 250 MB per 250-cluster re-run (docs/design/scale.md).
            if (cache.TryGetByInstance(encoded, out var seen))
            {
                return seen;
            }

            key = ContentKeyOf(encoded);
            if (cache.TryGetByContent(key, out var known))
            {
                // Another copy of a kept content (another cluster's Secret list): only this instance is new.
                cache.AddInstance(encoded, known);
                return known;
            }
        }

        key ??= ContentKeyOf(encoded);
        var parsed = Parse(encoded) is { } config ? new EmbeddedKubeconfig(config, key) : null;
        cache?.Add(encoded, key, parsed);
        return parsed;
    }

    private static string ContentKeyOf(string encoded) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(encoded)));

    /// <summary>
    /// A session with the kubeconfig's own credentials. <paramref name="authentication"/> is how its errors describe
    /// them; a copy of the configuration, because KubeSession sets its timeout and user agent on the one it is given.
    /// </summary>
    public KubeSession Open(string context, KubeSessionOptions options, string authentication) =>
        new(context, (KubernetesClientConfiguration)ShallowCopy(_config), options, authentication);

    /// <summary>
    /// KubernetesClient's view of the kubeconfig. One without a usable current context (hand-made, or cut down) still
    /// names its server and CA: those identify the cluster it serves even when no session can be built from it.
    /// </summary>
    private static KubernetesClientConfiguration? Parse(string encoded)
    {
        K8SConfiguration parsed;
        try
        {
            parsed = KubeconfigYaml.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
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
}
