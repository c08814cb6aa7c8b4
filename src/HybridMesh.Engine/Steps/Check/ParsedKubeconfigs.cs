using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using k8s;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Remote-secret kubeconfigs parsed once per distinct content: New-Mesh writes the same kubeconfig for a source into
/// every target, so a 250-cluster mesh holds 62,250 copies of 250 kubeconfigs, and parsing each copy (YAML and
/// certificates) was the largest CPU cost of checks and re-runs (docs/design/scale.md). Keyed by a SHA-256 of the
/// encoded text, so no token is a key. Bounded; a session always gets its own copy of the configuration.
/// </summary>
internal static class ParsedKubeconfigs
{
    private const int Capacity = 8192;
    private static readonly ConcurrentDictionary<string, Parsed?> Entries = new(StringComparer.Ordinal);

    private static readonly Func<object, object> ShallowCopy = (Func<object, object>)Delegate.CreateDelegate(
        typeof(Func<object, object>), typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!);

    internal sealed record Parsed(KubernetesClientConfiguration Config, string CertificateAuthority, string ContentKey);

    public static Parsed? Get(string encoded, Func<string, KubernetesClientConfiguration?> parse)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(encoded)));
        if (Entries.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var parsed = parse(encoded) is { } config
            ? new Parsed(config, string.Join(",", (config.SslCaCerts ?? []).Select(c => c.GetCertHashString(HashAlgorithmName.SHA256))
                .Order(StringComparer.Ordinal)), key)
            : null;
        if (Entries.Count >= Capacity)
        {
            Entries.Clear();
        }

        Entries[key] = parsed;
        return parsed;
    }

    /// <summary>A shallow copy: KubeSession sets its timeout and user agent on the configuration it is given.</summary>
    public static KubernetesClientConfiguration Copy(KubernetesClientConfiguration config) =>
        (KubernetesClientConfiguration)ShallowCopy(config);
}
