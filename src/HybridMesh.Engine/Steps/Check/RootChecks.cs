using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Spec §G: every pair of clusters must trust a common root (SHA-256 of the DER certificate, from the
/// istio-ca-root-cert ConfigMap and, when readable, the cacerts Secret), or mTLS across the link fails.
/// </summary>
internal static class RootChecks
{
    public static MeshCheck SharedRoot(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all)
    {
        const string check = CheckNames.SharedRoot;
        if (!s.Reachable) return ClusterChecks.Unreachable(check, s);
        var roots = s.Details?.RootCertificateFingerprints ?? [];
        const string action = "Plug the same root into every cluster: Secret istio-system/cacerts (ca-cert.pem, ca-key.pem, " +
                              "root-cert.pem, cert-chain.pem signed by one root), e.g. asmcli install --ca citadel --root_cert ..., then restart istiod.";
        if (roots.Length == 0)
        {
            return Result.Fail(check, s.Context, "No root certificate found (ConfigMap istio-system/istio-ca-root-cert is missing or empty).", action);
        }

        var peers = all.Where(o => !ReferenceEquals(o, s) && o.Reachable).ToArray();
        var without = peers.Where(p => !(p.Details?.RootCertificateFingerprints ?? []).Intersect(roots).Any())
            .Select(p => p.Context).ToArray();
        if (without.Length > 0)
        {
            return Result.Fail(check, s.Context,
                $"No common root with {string.Join(", ", without)} (root {Short(roots[0])} here); mTLS across those links fails.", action);
        }

        return Result.Pass(check, s.Context, peers.Length == 0
            ? $"Root {Short(roots[0])}; no reachable peer to compare with."
            : $"Shares root {Short(roots.FirstOrDefault(r => peers.All(p => p.Details!.RootCertificateFingerprints.Contains(r))) ?? roots[0])} with every peer.");
    }

    private static string Short(string fingerprint) => fingerprint.Length > 16 ? fingerprint[..16] + "…" : fingerprint;
}
