using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>One cluster's plug-in CA material: the four files istiod reads from the cacerts Secret.</summary>
internal sealed record IssuedIntermediate(string CertificatePem, string KeyPem, string RootPem, string ChainPem,
    string Subject, DateTime NotAfter, string Fingerprint)
{
    /// <summary>Never the key: a record's generated ToString would print every member.</summary>
    public override string ToString() => $"{Subject} SHA256:{Fingerprint} until {NotAfter:yyyy-MM-dd}";
}

/// <summary>
/// Issues a cluster's intermediate CA under the mesh root, with the fields of Istio's tools/certs Makefile
/// (docs/design/shared-root.md): 2 years, CN=Intermediate CA, O=&lt;root's O&gt;, L=&lt;cluster&gt;,
/// basicConstraints critical CA:TRUE pathlen:0, keyUsage critical keyCertSign/cRLSign/digitalSignature,
/// SAN DNS:istiod.istio-system.svc. The key uses the root's family (RSA 4096 or ECDSA P-256).
/// </summary>
internal static class IntermediateIssuer
{
    public const string IstiodDnsName = "istiod.istio-system.svc";
    public const int DefaultYears = 2;

    public static IssuedIntermediate Issue(MeshCertificateAuthority ca, string cluster, int years = DefaultYears)
    {
        var now = DateTimeOffset.UtcNow;
        return Issue(ca, cluster, now.AddMinutes(-1), now.AddYears(years));
    }

    /// <summary>With explicit validity (tests make expired and nearly expired intermediates this way).</summary>
    public static IssuedIntermediate Issue(MeshCertificateAuthority ca, string cluster, DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(ca);
        var root = ca.GetCertificate();
        // An intermediate lies within its issuer's validity (CertificateRequest.Create refuses otherwise, and
        // verifiers would too).
        var rootStart = new DateTimeOffset(root.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var rootEnd = new DateTimeOffset(root.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        notBefore = notBefore < rootStart ? rootStart : notBefore;
        notAfter = notAfter > rootEnd ? rootEnd : notAfter;

        // The builder encodes in reverse order of the calls: this gives the Makefile's "/O=<org>/CN=Intermediate CA/L=<cluster>".
        var subject = new X500DistinguishedNameBuilder();
        subject.AddLocalityName(cluster);
        subject.AddCommonName("Intermediate CA");
        if (Organization(root) is { Length: > 0 } organization)
        {
            subject.AddOrganizationName(organization);
        }

        using var key = CertificateKeys.New(CertificateKeys.AlgorithmOf(root));
        var request = CertificateKeys.Request(subject.Build(), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(IstiodDnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));

        using var issued = request.Create(root, notBefore, notAfter, Serial());
        var certificatePem = issued.ExportCertificatePem() + "\n";
        var rootPem = root.ExportCertificatePem() + "\n";
        return new IssuedIntermediate(certificatePem, CertificateKeys.ExportPkcs8Pem(key) + "\n", rootPem,
            certificatePem + rootPem, issued.Subject, issued.NotAfter.ToUniversalTime(),
            issued.GetCertHashString(HashAlgorithmName.SHA256));
    }

    /// <summary>The O= of a certificate's subject, or null.</summary>
    public static string? Organization(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(r => r.GetSingleElementType().Value == "2.5.4.10")?.GetSingleElementValue();

    // RFC 5280: a positive serial of at most 20 octets; 16 random bytes with the top bit cleared.
    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }
}
