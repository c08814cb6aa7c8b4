using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// A CA generated at start (ECDSA P-256; nothing is written except its public certificate into kubeconfigs), and
/// the leaf and intermediate certificates it signs: the API server's serving certificate (IP SAN 127.0.0.1) and,
/// for the mesh preset, Istio's cacerts intermediate.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly ECDsa _key;

    public CertificateAuthority(string commonName, CertificateAuthority? parent = null)
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", _key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        if (parent is null)
        {
            // roots outlive everything they sign (a leaf may not outlive its issuer)
            Certificate = req.CreateSelfSigned(notBefore, DateTimeOffset.UtcNow.AddYears(10));
        }
        else
        {
            using var signed = req.Create(parent.Certificate, notBefore, DateTimeOffset.UtcNow.AddYears(2), RandomSerial());
            Certificate = signed.CopyWithPrivateKey(_key);
            Parent = parent;
        }
    }

    public X509Certificate2 Certificate { get; }
    public CertificateAuthority? Parent { get; }

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem() + "\n";

    /// <summary>This certificate followed by its parents up to the root (Istio's cert-chain.pem).</summary>
    public string ChainPem => CertificatePem + (Parent?.ChainPem ?? "");

    public CertificateAuthority Root => Parent?.Root ?? this;

    /// <summary>A serving certificate with IP SAN 127.0.0.1 (and localhost), loaded so Kestrel can use its key.</summary>
    public X509Certificate2 IssueServerCertificate(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        san.AddDnsName("kubernetes.default.svc");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = req.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), RandomSerial());
        using var withKey = cert.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return serial;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
