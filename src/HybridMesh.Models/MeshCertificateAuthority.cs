using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HybridMesh.Models;

/// <summary>
/// The mesh's root of trust (New-MeshCertificateAuthority): a self-signed root certificate and its private key.
/// Every property and ToString show only public facts (subject, SHA-256 fingerprint, validity, key algorithm); the
/// key is reachable only through <see cref="GetCertificate"/>, a method, so that formatting, Format-List *,
/// ConvertTo-Json and transcripts never walk into it.
/// </summary>
public sealed class MeshCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _certificate;

    /// <param name="certificate">The root, with its private key attached.</param>
    /// <param name="source">Where it came from: "Generated", or the file it was imported from.</param>
    public MeshCertificateAuthority(X509Certificate2 certificate, string source)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("A certificate authority needs its private key.", nameof(certificate));
        }

        _certificate = certificate;
        Source = source;
        Fingerprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        KeyAlgorithm = DescribeKey(certificate);
    }

    /// <summary>The root's subject, e.g. "CN=Root CA, O=Acme".</summary>
    public string Subject => _certificate.Subject;

    /// <summary>SHA-256 of the DER certificate, uppercase hex (as Get-MeshCluster -Detailed shows root fingerprints).</summary>
    public string Fingerprint { get; }

    public DateTime NotBefore => _certificate.NotBefore.ToUniversalTime();

    public DateTime NotAfter => _certificate.NotAfter.ToUniversalTime();

    /// <summary>"RSA 4096" or "ECDSA P-256".</summary>
    public string KeyAlgorithm { get; }

    /// <summary>"Generated", or the path the root was imported from.</summary>
    public string Source { get; }

    /// <summary>The root certificate as PEM (public; this is what root-cert.pem holds).</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>The root with its private key, for issuing intermediates. Never write it to an output stream.</summary>
    public X509Certificate2 GetCertificate() => _certificate;

    public override string ToString() =>
        $"{Subject} SHA256:{Fingerprint} valid {NotBefore:yyyy-MM-dd} to {NotAfter:yyyy-MM-dd}";

    public void Dispose() => _certificate.Dispose();

    private static string DescribeKey(X509Certificate2 certificate)
    {
        using (var rsa = certificate.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                return $"RSA {rsa.KeySize}";
            }
        }

        using var ecdsa = certificate.GetECDsaPublicKey();
        return ecdsa is null ? certificate.PublicKey.Oid.FriendlyName ?? "unknown" : $"ECDSA P-{ecdsa.KeySize}";
    }
}
