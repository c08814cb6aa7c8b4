using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>
/// Creates, imports and saves the mesh's root CA in pure .NET (no openssl, so it works on Windows too). Defaults
/// follow Istio's tools/certs Makefile as docs/design/shared-root.md records it: 10 years, O=&lt;org&gt;, CN=Root CA.
/// </summary>
public static class CertificateAuthorities
{
    public const string RootCertFile = "root-cert.pem";
    public const string RootKeyFile = "root-key.pem";
    public const int DefaultRootYears = 10;

    /// <summary>PBKDF2 rounds for the encrypted key file (PKCS#8, AES-256-CBC, HMAC-SHA256).</summary>
    private const int KeyFileIterations = 210_000;

    public static MeshCertificateAuthority Create(string organization, MeshCaKeyAlgorithm algorithm, int years = DefaultRootYears)
    {
        if (string.IsNullOrWhiteSpace(organization))
        {
            throw MeshErrors.CaOrganizationMissing();
        }

        // The builder encodes in reverse order of the calls: this gives openssl's "/O=<org>/CN=Root CA".
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("Root CA");
        subject.AddOrganizationName(organization);
        var now = DateTimeOffset.UtcNow;
        using var key = CertificateKeys.New(algorithm);
        var request = CertificateKeys.Request(subject.Build(), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // A minute back-dated, so that a cluster whose clock is slightly behind does not see a future certificate.
        var certificate = request.CreateSelfSigned(now.AddMinutes(-1), now.AddYears(years));
        return new MeshCertificateAuthority(Portable(certificate), "Generated");
    }

    /// <summary>Import a root from PEM text: the certificate, and its key (PKCS#8, PKCS#1/SEC1, or encrypted PKCS#8).</summary>
    public static MeshCertificateAuthority ImportPem(string certificatePem, string keyPem, ReadOnlySpan<char> password,
        string source)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, password)
                : X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException ex)
        {
            // The exception text never holds key bytes; it names what could not be read.
            throw MeshErrors.CaImportFailed(source, ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw MeshErrors.CaImportFailed(source, ex.Message);
        }

        return Checked(Portable(certificate), source);
    }

    /// <summary>Import a root from a PKCS#12 (PFX) file's bytes.</summary>
    public static MeshCertificateAuthority ImportPfx(byte[] pfx, ReadOnlySpan<char> password, string source)
    {
        X509Certificate2 certificate;
        try
        {
            // Ephemeral: nothing lands in a user key store (not supported on macOS, which keeps keys in a keychain).
            var flags = X509KeyStorageFlags.Exportable |
                        (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? 0 : X509KeyStorageFlags.EphemeralKeySet);
            certificate = new X509Certificate2(pfx, password, flags);
        }
        catch (CryptographicException ex)
        {
            throw MeshErrors.CaImportFailed(source, ex.Message);
        }

        if (!certificate.HasPrivateKey)
        {
            throw MeshErrors.CaImportFailed(source, "the PFX holds no private key for its certificate");
        }

        return Checked(Portable(certificate), source);
    }

    /// <summary>
    /// Write root-cert.pem and root-key.pem (encrypted PKCS#8) into <paramref name="directory"/>, readable by the
    /// owner only on Linux and macOS. Existing files are replaced only with <paramref name="overwrite"/>.
    /// </summary>
    public static IReadOnlyList<string> Save(MeshCertificateAuthority ca, string directory, ReadOnlySpan<char> password,
        bool overwrite)
    {
        if (password.IsEmpty)
        {
            throw MeshErrors.CaKeyPasswordMissing(directory);
        }

        Directory.CreateDirectory(directory);
        var certPath = Path.Combine(directory, RootCertFile);
        var keyPath = Path.Combine(directory, RootKeyFile);
        foreach (var path in new[] { certPath, keyPath })
        {
            if (File.Exists(path) && !overwrite)
            {
                throw MeshErrors.CaFileExists(path);
            }
        }

        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, KeyFileIterations);
        var certificate = ca.GetCertificate();
        var keyText = CertificateKeys.ExportEncrypted(certificate, password, pbe);
        PrivateFiles.Write(certPath, certificate.ExportCertificatePem() + "\n");
        PrivateFiles.Write(keyPath, keyText + "\n");
        return [certPath, keyPath];
    }

    private static MeshCertificateAuthority Checked(X509Certificate2 certificate, string source)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is null || !constraints.CertificateAuthority)
        {
            throw MeshErrors.CaNotAuthority(source, certificate.Subject);
        }

        if (certificate.NotAfter.ToUniversalTime() <= DateTime.UtcNow)
        {
            throw MeshErrors.CaExpired(source, certificate.Subject, certificate.NotAfter.ToUniversalTime());
        }

        return new MeshCertificateAuthority(certificate, source);
    }

    /// <summary>
    /// On Windows a key made in memory cannot always sign after CopyWithPrivateKey/CreateSelfSigned hands it back as
    /// an ephemeral CNG key; a round trip through PKCS#12 gives a certificate whose key works on every platform.
    /// </summary>
    private static X509Certificate2 Portable(X509Certificate2 certificate)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return certificate;
        }

        using (certificate)
        {
            return new X509Certificate2(certificate.Export(X509ContentType.Pkcs12), (string?)null,
                X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
        }
    }
}
