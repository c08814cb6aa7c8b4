namespace HybridMesh.Models;

/// <summary>Key of a root CA that New-MeshCertificateAuthority creates (docs/design/shared-root.md).</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshCaKeyAlgorithm : long
{
    /// <summary>RSA 4096, as Istio's tools/certs Makefile (slow to generate: seconds).</summary>
    RSA,

    /// <summary>ECDSA on NIST P-256: fast, small, accepted by istiod as a plug-in CA key.</summary>
    ECDSA,
}
