namespace HybridMesh.Models;

/// <summary>Key of a root CA that New-MeshCertificateAuthority creates (docs/design/shared-root.md).</summary>
public enum MeshCaKeyAlgorithm
{
    /// <summary>RSA 4096, as Istio's tools/certs Makefile (slow to generate: seconds).</summary>
    RSA,

    /// <summary>ECDSA on NIST P-256: fast, small, accepted by istiod as a plug-in CA key.</summary>
    ECDSA,
}
