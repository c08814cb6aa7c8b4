using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HybridMesh.Engine.Steps.Certificates;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Certificates;

/// <summary>
/// The root and the intermediates the module makes, checked as a verifier would: .NET's X509Chain with the root as
/// the only trust anchor, and `openssl verify` where openssl is on PATH. ECDSA keeps the tests fast; one test
/// covers RSA 4096 (seconds to generate).
/// </summary>
public sealed class CertificateAuthorityTests
{
    private static readonly Lazy<MeshCertificateAuthority> Ecdsa = new(() => CertificateAuthorities.Create("Acme", MeshCaKeyAlgorithm.ECDSA));

    [Fact]
    public void Root_has_the_Makefile_subject_ten_years_and_CA_constraints()
    {
        var ca = Ecdsa.Value;
        var root = ca.GetCertificate();
        Assert.Equal("CN=Root CA, O=Acme", root.Subject);
        Assert.Equal(root.Subject, root.Issuer);
        Assert.InRange((ca.NotAfter - ca.NotBefore).TotalDays, 365 * 10, 366 * 10 + 3);
        var constraints = root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        Assert.Equal("ECDSA P-256", ca.KeyAlgorithm);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(root.RawData)), ca.Fingerprint);
        Assert.Equal("Generated", ca.Source);
    }

    [Fact]
    public void ToString_and_properties_show_no_key_material()
    {
        var ca = Ecdsa.Value;
        var key = ((ECDsa)CertificateKeys.PrivateKey(ca.GetCertificate())).ExportPkcs8PrivateKey();
        var text = ca.ToString() + string.Join("\n", typeof(MeshCertificateAuthority).GetProperties().Select(p => p.GetValue(ca)?.ToString()));
        Assert.DoesNotContain("PRIVATE KEY", text);
        Assert.DoesNotContain(Convert.ToBase64String(key)[..24], text);
        Assert.Contains(ca.Fingerprint, ca.ToString());
        Assert.Contains("CN=Root CA", ca.ToString());
    }

    [Fact]
    public void Intermediate_has_every_extension_of_Istios_Makefile()
    {
        var ca = Ecdsa.Value;
        var issued = IntermediateIssuer.Issue(ca, "onprem-1");
        using var cert = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal("L=onprem-1, CN=Intermediate CA, O=Acme", cert.Subject);
        Assert.Equal(ca.Subject, cert.Issuer);
        Assert.InRange((cert.NotAfter - cert.NotBefore).TotalDays, 365 * 2, 366 * 2 + 1);

        var constraints = cert.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.Critical);
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);

        var usage = cert.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);

        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["istiod.istio-system.svc"], san.EnumerateDnsNames().ToArray());
        Assert.Empty(san.EnumerateIPAddresses());

        var aki = cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        var rootSki = ca.GetCertificate().Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(rootSki.SubjectKeyIdentifier, Convert.ToHexString(aki.KeyIdentifier!.Value.Span));
    }

    [Fact]
    public void Intermediate_chains_to_the_root_and_to_no_other()
    {
        var ca = Ecdsa.Value;
        var issued = IntermediateIssuer.Issue(ca, "gke-1");
        using var cert = X509Certificate2.CreateFromPem(issued.CertificatePem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.GetCertificate());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(cert), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(2, chain.ChainElements.Count);
        Assert.Equal(ca.Fingerprint, chain.ChainElements[1].Certificate.GetCertHashString(HashAlgorithmName.SHA256));

        using var other = CertificateAuthorities.Create("Other", MeshCaKeyAlgorithm.ECDSA);
        Assert.False(CaCertsBundle.SignedByRoot(cert, [other.GetCertificate()]));
        Assert.True(CaCertsBundle.SignedByRoot(cert, [ca.GetCertificate()]));

        // cert-chain.pem: the intermediate, then the root; the key belongs to the intermediate.
        var chainCerts = CaCertsBundle.Collection(issued.ChainPem);
        Assert.Equal(2, chainCerts.Count);
        Assert.Equal(cert.RawData, chainCerts[0].RawData);
        Assert.Equal(ca.GetCertificate().RawData, chainCerts[1].RawData);
        Assert.True(CertificateKeys.KeyMatches(cert, issued.KeyPem));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", issued.KeyPem);
        Assert.DoesNotContain("PRIVATE KEY", issued.ToString());
    }

    [Fact]
    public void Openssl_verifies_the_chain_when_it_is_installed()
    {
        if (!OpensslAvailable())
        {
            return; // openssl is optional: the X509Chain tests above cover the chain without it.
        }

        var ca = Ecdsa.Value;
        var issued = IntermediateIssuer.Issue(ca, "cluster1");
        var dir = Directory.CreateTempSubdirectory("hm-openssl-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "root-cert.pem"), issued.RootPem);
            File.WriteAllText(Path.Combine(dir, "ca-cert.pem"), issued.CertificatePem);
            File.WriteAllText(Path.Combine(dir, "ca-key.pem"), issued.KeyPem);
            var verify = Openssl(dir, "verify", "-x509_strict", "-CAfile", "root-cert.pem", "ca-cert.pem");
            Assert.Equal("ca-cert.pem: OK", verify.Trim());
            // asmcli's own check: the key's public half equals the certificate's.
            Assert.Equal(Openssl(dir, "x509", "-in", "ca-cert.pem", "-noout", "-pubkey"), Openssl(dir, "pkey", "-in", "ca-key.pem", "-pubout"));
            var text = Openssl(dir, "x509", "-in", "ca-cert.pem", "-noout", "-text");
            Assert.Contains("Subject: O = Acme, CN = Intermediate CA, L = cluster1", text);
            Assert.Contains("Issuer: O = Acme, CN = Root CA", text);
            Assert.Contains("CA:TRUE, pathlen:0", text);
            Assert.Contains("Digital Signature, Certificate Sign, CRL Sign", text);
            Assert.Contains("DNS:istiod.istio-system.svc", text);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Rsa_root_and_intermediate_use_4096_bit_keys_and_verify()
    {
        using var ca = CertificateAuthorities.Create("Acme", MeshCaKeyAlgorithm.RSA);
        Assert.Equal("RSA 4096", ca.KeyAlgorithm);
        var issued = IntermediateIssuer.Issue(ca, "cluster1");
        using var cert = X509Certificate2.CreateFromPem(issued.CertificatePem);
        using var rsa = cert.GetRSAPublicKey();
        Assert.Equal(4096, rsa!.KeySize);
        Assert.Equal("1.2.840.113549.1.1.11", cert.SignatureAlgorithm.Value); // sha256WithRSAEncryption
        Assert.True(CaCertsBundle.SignedByRoot(cert, [ca.GetCertificate()]));
        Assert.True(CertificateKeys.KeyMatches(cert, issued.KeyPem));
    }

    [Fact]
    public void Saved_key_is_encrypted_owner_only_and_imports_back_with_the_password()
    {
        var ca = Ecdsa.Value;
        var dir = Path.Combine(Path.GetTempPath(), "hm-ca-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var files = CertificateAuthorities.Save(ca, dir, "s3cret-pass", overwrite: false);
            Assert.Equal([Path.Combine(dir, "root-cert.pem"), Path.Combine(dir, "root-key.pem")], files);
            var keyText = File.ReadAllText(files[1]);
            Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", keyText);
            Assert.DoesNotContain("-----BEGIN PRIVATE KEY-----", keyText);
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files[1]));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files[0]));
            }

            using var back = CertificateAuthorities.ImportPem(File.ReadAllText(files[0]), keyText, "s3cret-pass", files[0]);
            Assert.Equal(ca.Fingerprint, back.Fingerprint);
            Assert.True(CaCertsBundle.SignedByRoot(X509Certificate2.CreateFromPem(IntermediateIssuer.Issue(back, "c").CertificatePem),
                [ca.GetCertificate()]));

            var wrong = Assert.Throws<MeshException>(() => CertificateAuthorities.ImportPem(File.ReadAllText(files[0]), keyText, "wrong", files[0]));
            Assert.Equal("CaImportFailed", wrong.ErrorId);
            var exists = Assert.Throws<MeshException>(() => CertificateAuthorities.Save(ca, dir, "x", overwrite: false));
            Assert.Equal("CaFileExists", exists.ErrorId);
            Assert.Equal("CaKeyPasswordMissing",
                Assert.Throws<MeshException>(() => CertificateAuthorities.Save(ca, dir, "", overwrite: true)).ErrorId);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Imports_a_pfx_and_refuses_a_non_CA_certificate_or_a_foreign_key()
    {
        var ca = Ecdsa.Value;
        var pfx = ca.GetCertificate().Export(X509ContentType.Pkcs12, "pfx-pass");
        using var imported = CertificateAuthorities.ImportPfx(pfx, "pfx-pass", "root.pfx");
        Assert.Equal(ca.Fingerprint, imported.Fingerprint);
        Assert.Equal("root.pfx", imported.Source);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=leaf", leafKey, HashAlgorithmName.SHA256);
        using var leaf = leafRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddYears(1));
        var notCa = Assert.Throws<MeshException>(() =>
            CertificateAuthorities.ImportPem(leaf.ExportCertificatePem(), leafKey.ExportPkcs8PrivateKeyPem(), default, "leaf.pem"));
        Assert.Equal("CaNotAuthority", notCa.ErrorId);

        var foreign = Assert.Throws<MeshException>(() =>
            CertificateAuthorities.ImportPem(ca.CertificatePem, leafKey.ExportPkcs8PrivateKeyPem(), default, "root.pem"));
        Assert.Equal("CaImportFailed", foreign.ErrorId);
        Assert.DoesNotContain("PRIVATE KEY", foreign.Message + foreign.RecommendedAction);
    }

    internal static bool OpensslAvailable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Any(d => File.Exists(Path.Combine(d, "openssl")) || File.Exists(Path.Combine(d, "openssl.exe")));

    private static string Openssl(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"openssl {string.Join(' ', args)}: {error}");
        return output;
    }
}
