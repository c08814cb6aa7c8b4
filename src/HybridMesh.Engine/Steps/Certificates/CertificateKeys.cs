using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>The two key families a mesh CA may use (RSA, ECDSA P-256), behind one set of helpers.</summary>
internal static class CertificateKeys
{
    public const int RsaKeySize = 4096;

    public static AsymmetricAlgorithm New(MeshCaKeyAlgorithm algorithm) => algorithm switch
    {
        MeshCaKeyAlgorithm.ECDSA => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        _ => RSA.Create(RsaKeySize),
    };

    /// <summary>The family of a certificate's key, so that an intermediate uses the same one as its root.</summary>
    public static MeshCaKeyAlgorithm AlgorithmOf(X509Certificate2 certificate)
    {
        using var ecdsa = certificate.GetECDsaPublicKey();
        return ecdsa is null ? MeshCaKeyAlgorithm.RSA : MeshCaKeyAlgorithm.ECDSA;
    }

    public static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("Only RSA and ECDSA keys are supported.", nameof(key)),
    };

    public static X509Certificate2 WithKey(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        _ => throw new ArgumentException("Only RSA and ECDSA keys are supported.", nameof(key)),
    };

    /// <summary>Unencrypted PKCS#8 PEM ("PRIVATE KEY"): what istiod reads from ca-key.pem.</summary>
    public static string ExportPkcs8Pem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem();

    public static string ExportEncrypted(X509Certificate2 certificate, ReadOnlySpan<char> password, PbeParameters pbe)
    {
        using var key = PrivateKey(certificate);
        return key.ExportEncryptedPkcs8PrivateKeyPem(password, pbe);
    }

    public static AsymmetricAlgorithm PrivateKey(X509Certificate2 certificate) =>
        (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey() ??
        throw new CryptographicException("The certificate has no RSA or ECDSA private key.");

    /// <summary>True when <paramref name="keyPem"/> is the private key of <paramref name="certificate"/>.</summary>
    public static bool KeyMatches(X509Certificate2 certificate, string keyPem)
    {
        try
        {
            using var withKey = X509Certificate2.CreateFromPem(certificate.ExportCertificatePem(), keyPem);
            return withKey.HasPrivateKey;
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
