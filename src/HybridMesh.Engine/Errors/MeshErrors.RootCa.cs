using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors of the shared root of trust (New-MeshCertificateAuthority, Install-MeshCertificate). Messages name
/// certificates by subject and SHA-256 fingerprint only; no key material ever appears.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException CaOrganizationMissing() => new(
        "CaOrganizationMissing", MeshErrorCategory.InvalidArgument, null,
        "A new root CA needs an organisation for its subject (O=<organisation>, CN=Root CA).",
        "Pass -Organization, e.g. -Organization 'Acme'.");

    public static MeshException CaImportFailed(string source, string reason) => new(
        "CaImportFailed", MeshErrorCategory.InvalidData, source,
        $"The root CA in '{source}' could not be read: {reason}.",
        "Pass the PEM certificate with -CertificatePath and its private key with -KeyPath (with -Password when the key is " +
        "encrypted), or a PFX with -PfxPath and -Password; the key must belong to the certificate.");

    public static MeshException CaNotAuthority(string source, string subject) => new(
        "CaNotAuthority", MeshErrorCategory.InvalidData, source,
        $"The certificate '{subject}' in '{source}' is not a CA certificate (no basicConstraints CA:TRUE), so it cannot sign intermediates.",
        "Import the root CA certificate itself (the one whose root-cert.pem every cluster should trust), or create one " +
        "with New-MeshCertificateAuthority -Organization <name>.");

    public static MeshException CaExpired(string source, string subject, DateTime notAfter) => new(
        "CaExpired", MeshErrorCategory.InvalidData, source,
        $"The root CA '{subject}' in '{source}' expired on {notAfter:u}.",
        "Create a new root with New-MeshCertificateAuthority and install it on every cluster with Install-MeshCertificate -Force -RestartIstiod.");

    public static MeshException CaKeyPasswordMissing(string path) => new(
        "CaKeyPasswordMissing", MeshErrorCategory.InvalidArgument, path,
        "The root key is written only encrypted, and no password was given.",
        "Pass -Password (Read-Host -AsSecureString), or leave out -Path to keep the root in memory only.");

    public static MeshException CaFileExists(string path) => new(
        "CaFileExists", MeshErrorCategory.ResourceExists, path,
        $"'{path}' already exists; an existing root or key is never overwritten silently.",
        "Choose another -Path (or -OutputDirectory), or pass -Force to replace the files.");

    public static MeshException CaMissing() => new(
        "CaMissing", MeshErrorCategory.InvalidArgument, null,
        "No root CA was given.",
        "Pass -CertificateAuthority (from New-MeshCertificateAuthority), or -CertificatePath and -KeyPath (and -Password) of the root.");

    public static MeshException CaCertsOtherRoot(string context, string subject, string fingerprint, string wanted) => new(
        "CaCertsOtherRoot", MeshErrorCategory.ResourceExists, context,
        $"Context '{context}' already has Secret istio-system/cacerts chained to another root: '{subject}' " +
        $"(SHA256 {fingerprint}), not the given root (SHA256 {wanted}). Replacing it changes the cluster's trust: " +
        "workloads and peers that trust the old root stop trusting this cluster until they are restarted.",
        "If this cluster should join the given root, run Install-MeshCertificate again with -Force (and -RestartIstiod), " +
        "then restart the workloads; otherwise install the root that cacerts already holds on the other clusters.");

    public static MeshException IstiodRestartTimeout(string context, string deployment, TimeSpan timeout) => new(
        "IstiodRestartTimeout", MeshErrorCategory.OperationTimeout, context,
        $"istiod (Deployment istio-system/{deployment}) of context '{context}' did not finish its rollout within {timeout.TotalSeconds:0} s.",
        $"See why its new pods do not become ready (kubectl -n istio-system rollout status deployment/{deployment}; " +
        $"kubectl -n istio-system logs deployment/{deployment}), or allow more time with -TimeoutSec.");

    public static MeshException ServedRootNotUpdated(string context, string wanted, TimeSpan timeout) => new(
        "ServedRootNotUpdated", MeshErrorCategory.OperationTimeout, context,
        $"After istiod restarted, context '{context}' still does not serve the new root (SHA256 {wanted}) in ConfigMap " +
        $"istio-system/istio-ca-root-cert after {timeout.TotalSeconds:0} s.",
        "Check istiod's log for 'Use plugged-in cert at /etc/cacerts' (kubectl -n istio-system logs deployment/istiod-<rev>); " +
        "if it reports a bad key or chain, run Test-MeshConnectivity for the CaCertsChain check.");
}
