using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The SharedRoot check (docs/design/shared-root.md, docs/design/rules.md). Two rules: istiod serves the root of the
/// cacerts Secret it was given (istiod reads cacerts only at start, so a changed Secret is not served until istiod
/// restarts), and every pair of clusters serves a common root (SHA-256 of the DER certificate, from the
/// istio-ca-root-cert ConfigMap: what workloads trust), or mTLS across the link fails.
/// </summary>
internal static class RootChecks
{
    private const string PlugAction =
        "Plug the same root into every cluster: Secret istio-system/cacerts (ca-cert.pem, ca-key.pem, " +
        "root-cert.pem, cert-chain.pem signed by one root), e.g. asmcli install --ca citadel --root_cert ..., then restart istiod.";

    public static RuleVerdict SharedRoot(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all) =>
        RuleVerdict.FirstProblem(CaCertsLoaded(s), ServedRootShared(s, all));

    /// <summary>A cacerts root that istiod does not serve: istiod has not loaded cacerts.</summary>
    public static RuleVerdict CaCertsLoaded(ClusterSnapshot s)
    {
        const string check = CheckNames.SharedRoot;
        if (!s.Reachable) return ClusterChecks.Unreachable(check, s);
        if (s.CaCertsRoots is not { } plugged || s.ServedRoots.Count == 0 || Serves(s.ServedRoots, plugged))
        {
            return Result.Pass(check, s.Context, s.CaCertsRoots is null
                ? "No cacerts Secret; istiod serves its own root."
                : "istiod serves the root of Secret istio-system/cacerts.");
        }

        var istiods = s.Istiods.Select(i => i.Name).DefaultIfEmpty("istiod").ToArray();
        var detail = $"Secret istio-system/cacerts holds root {Short(plugged[0])} but istiod serves {Short(s.ServedRoots[0])} " +
                     "(istio-ca-root-cert): istiod has not loaded cacerts; restart istiod.";
        // The module's own way first (it restarts the revision's istiod, waits, and proves the new root is served;
        // docs/design/shared-root.md), kubectl for users who restart by hand.
        var action = "Restart istiod: Install-MeshCertificate -CertificateAuthority $ca -RestartIstiod (or kubectl -n istio-system " +
                     $"rollout restart deployment {string.Join(" ", istiods)}), then the workloads (they keep certificates of the " +
                     "old root until they restart), and re-run.";
        return new(Result.Fail(check, s.Context, detail, action), MeshErrors.MeshCaCertsNotLoaded(s.Context, detail, action));
    }

    /// <summary>
    /// True when istiod serves every root of cacerts (fingerprints as ClusterInspectorCertificates computes them). The
    /// one comparison behind the rule and Install-MeshCertificate's restart state, so both agree on "restart pending".
    /// </summary>
    public static bool Serves(IReadOnlyCollection<string> served, IEnumerable<string> plugged) =>
        plugged.All(p => served.Contains(p, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every reachable peer serves at least one root this cluster serves.</summary>
    public static RuleVerdict ServedRootShared(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all)
    {
        const string check = CheckNames.SharedRoot;
        if (!s.Reachable) return ClusterChecks.Unreachable(check, s);
        var roots = s.ServedRoots;
        if (roots.Count == 0)
        {
            var missing = (s.Details?.IstioRevisions.Length ?? 0) > 0 ? MeshErrors.MeshRootMissing(s.Context) : null;
            return new(Result.Fail(check, s.Context, "No root certificate found (ConfigMap istio-system/istio-ca-root-cert is missing or empty).",
                PlugAction), missing);
        }

        var peers = all.Where(o => !ReferenceEquals(o, s) && o.Reachable && o.ServedRoots.Count > 0).ToArray();
        var without = peers.Where(p => !p.ServedRoots.Intersect(roots).Any()).Select(p => p.Context).ToArray();
        if (without.Length > 0)
        {
            var withRoots = all.Where(o => o.Reachable && o.ServedRoots.Count > 0)
                .ToDictionary(o => o.Context, o => o.ServedRoots.ToArray(), StringComparer.Ordinal);
            return new(Result.Fail(check, s.Context,
                $"No common root with {string.Join(", ", without)} (root {Short(roots[0])} here); mTLS across those links fails.", PlugAction),
                MeshErrors.MeshRootMismatch(withRoots));
        }

        return Result.Pass(check, s.Context, peers.Length == 0
            ? $"Root {Short(roots[0])}; no reachable peer to compare with."
            : $"Shares root {Short(roots.FirstOrDefault(r => peers.All(p => p.ServedRoots.Contains(r))) ?? roots[0])} with every peer.");
    }

    private static string Short(string fingerprint) => fingerprint.Length > 16 ? fingerprint[..16] + "…" : fingerprint;
}
