using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>
/// A cacerts Secret as istiod reads it (docs/design/shared-root.md): ca-cert.pem (this cluster's intermediate),
/// ca-key.pem, root-cert.pem, cert-chain.pem. Parsed once; the key text is kept only to test that it matches the
/// certificate and is never shown. Used by Install-MeshCertificate (keep, renew or refuse) and by the CaCerts checks.
/// </summary>
internal sealed class CaCertsBundle : IDisposable
{
    public const string SecretName = "cacerts";
    public const string CertKey = "ca-cert.pem";
    public const string KeyKey = "ca-key.pem";
    public const string RootKey = "root-cert.pem";
    public const string ChainKey = "cert-chain.pem";

    private readonly string? _keyPem;

    private CaCertsBundle(X509Certificate2? intermediate, string? keyPem, X509Certificate2Collection roots,
        X509Certificate2Collection chain)
    {
        Intermediate = intermediate;
        _keyPem = keyPem;
        Roots = roots;
        Chain = chain;
    }

    public X509Certificate2? Intermediate { get; }
    public X509Certificate2Collection Roots { get; }
    public X509Certificate2Collection Chain { get; }
    public bool HasKey => !string.IsNullOrEmpty(_keyPem);

    public IReadOnlyList<string> RootFingerprints =>
        Roots.Select(r => r.GetCertHashString(HashAlgorithmName.SHA256)).ToArray();

    public X509Certificate2? Root => Roots.Count > 0 ? Roots[0] : null;

    /// <summary>Reads the Secret's data (base64 values, as the API returns them). Unreadable entries count as absent.</summary>
    public static CaCertsBundle From(JsonObject secret)
    {
        var data = secret["data"] as JsonObject;
        string? Text(string key)
        {
            if (data?[key] is not JsonValue value || !value.TryGetValue<string>(out var encoded)) return null;
            try { return Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
            catch (FormatException) { return null; }
        }

        var certText = Text(CertKey);
        return new CaCertsBundle(FirstCertificate(certText), Text(KeyKey), Collection(Text(RootKey)), Collection(Text(ChainKey)));
    }

    /// <summary>Problems of the chain, in words; empty when the intermediate is signed by the root and the key matches.</summary>
    public IReadOnlyList<string> ChainProblems()
    {
        var problems = new List<string>();
        if (Intermediate is null) problems.Add($"{CertKey} holds no certificate");
        if (Root is null) problems.Add($"{RootKey} holds no certificate");
        if (!HasKey) problems.Add($"{KeyKey} is missing");
        if (problems.Count > 0) return problems;

        if (!SignedByRoot(Intermediate!, Roots))
        {
            problems.Add($"{CertKey} ({Intermediate!.Subject}) is not signed by the root in {RootKey} ({Root!.Subject})");
        }

        if (!CertificateKeys.KeyMatches(Intermediate!, _keyPem!))
        {
            problems.Add($"{KeyKey} is not the key of {CertKey}");
        }

        if (Chain.Count == 0 || Chain[0].RawData.AsSpan().SequenceEqual(Intermediate!.RawData) is false)
        {
            problems.Add($"{ChainKey} does not start with the certificate of {CertKey}");
        }
        else if (!Chain.Cast<X509Certificate2>().Any(c => Roots.Cast<X509Certificate2>().Any(r => r.RawData.AsSpan().SequenceEqual(c.RawData))))
        {
            problems.Add($"{ChainKey} does not end in the root of {RootKey}");
        }

        return problems;
    }

    /// <summary>Time left until the first of intermediate and root expires (negative when expired).</summary>
    public TimeSpan Remaining(DateTime now)
    {
        var ends = new[] { Intermediate, Root }.OfType<X509Certificate2>().Select(c => c.NotAfter.ToUniversalTime()).ToArray();
        return ends.Length == 0 ? TimeSpan.Zero : ends.Min() - now;
    }

    /// <summary>A chain built with the root as the only trust anchor (time ignored: validity is checked separately).</summary>
    public static bool SignedByRoot(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        var built = chain.Build(certificate);
        return built && chain.ChainElements.Count >= 2 &&
               roots.Cast<X509Certificate2>().Any(r => r.RawData.AsSpan().SequenceEqual(chain.ChainElements[^1].Certificate.RawData));
    }

    public static X509Certificate2Collection Collection(string? pem)
    {
        var collection = new X509Certificate2Collection();
        if (string.IsNullOrWhiteSpace(pem)) return collection;
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            // Not PEM certificates: treated as absent, reported as such by ChainProblems.
        }

        return collection;
    }

    private static X509Certificate2? FirstCertificate(string? pem)
    {
        var collection = Collection(pem);
        return collection.Count > 0 ? collection[0] : null;
    }

    public void Dispose()
    {
        Intermediate?.Dispose();
        foreach (var c in Roots) c.Dispose();
        foreach (var c in Chain) c.Dispose();
    }
}
