using HybridMesh.Engine.Steps.Certificates;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Per-cluster checks of a plug-in CA (Secret istio-system/cacerts, docs/design/shared-root.md): validity of the
/// intermediate and the root (Warning within 30 days, Failed when expired) and the chain (intermediate signed by the
/// root, key matching the certificate, cert-chain.pem from intermediate to root). A cluster without cacerts (istiod's
/// own CA, or a Google-managed CA) gets no such checks. Whether istiod serves the cacerts root is the served-root
/// rule's business, not these checks'.
/// </summary>
internal static class CaCertsChecks
{
    public const string Validity = "CaCertsValidity";
    public const string Chain = "CaCertsChain";
    public static readonly TimeSpan WarnWithin = TimeSpan.FromDays(30);

    private const string RenewAction =
        "Issue a new intermediate from the mesh root: Install-MeshCertificate -CertificateAuthority $ca -RestartIstiod " +
        "(it renews intermediates expiring within -RenewWithinDays), then restart the workloads.";

    /// <summary>
    /// The checks of one cluster, from the snapshot's list of Secrets in istio-system (docs/design/rules.md): no request
    /// of their own. A snapshot that could not list those Secrets is unreachable and gets no CaCerts* checks.
    /// </summary>
    public static IEnumerable<MeshCheck> Run(ClusterSnapshot s)
    {
        if (!s.Reachable || s.CaCertsSecret is not { } secret)
        {
            yield break;
        }

        using var bundle = CaCertsBundle.From(secret);
        yield return CheckValidity(s.Context, bundle, DateTime.UtcNow);
        yield return CheckChain(s.Context, bundle);
    }

    internal static MeshCheck CheckValidity(string context, CaCertsBundle bundle, DateTime now)
    {
        var named = new[] { ("intermediate", bundle.Intermediate), ("root", bundle.Root) }
            .Where(x => x.Item2 is not null).Select(x => (Name: x.Item1, End: x.Item2!.NotAfter.ToUniversalTime(),
                Start: x.Item2.NotBefore.ToUniversalTime())).ToArray();
        if (named.Length == 0)
        {
            return Result.Fail(Validity, context, "Secret istio-system/cacerts holds no readable certificate.", RenewAction);
        }

        var expired = named.Where(n => n.End <= now).ToArray();
        if (expired.Length > 0)
        {
            return Result.Fail(Validity, context,
                string.Join("; ", expired.Select(e => $"the {e.Name} CA in cacerts expired on {e.End:yyyy-MM-dd HH:mm} UTC")) +
                ": istiod cannot issue valid workload certificates.", RenewAction);
        }

        var notYet = named.Where(n => n.Start > now).ToArray();
        if (notYet.Length > 0)
        {
            return Result.Fail(Validity, context,
                string.Join("; ", notYet.Select(e => $"the {e.Name} CA in cacerts is valid only from {e.Start:yyyy-MM-dd HH:mm} UTC")) +
                " (check the clocks).", RenewAction);
        }

        var first = named.MinBy(n => n.End);
        var left = first.End - now;
        if (left < WarnWithin)
        {
            return Result.Warn(Validity, context,
                $"The {first.Name} CA in cacerts expires on {first.End:yyyy-MM-dd} (in {Math.Max(0, (int)left.TotalDays)} days).", RenewAction);
        }

        return Result.Pass(Validity, context, $"The {first.Name} CA in cacerts expires first, on {first.End:yyyy-MM-dd}.");
    }

    internal static MeshCheck CheckChain(string context, CaCertsBundle bundle)
    {
        var problems = bundle.ChainProblems();
        if (problems.Count > 0)
        {
            return Result.Fail(Chain, context, "Secret istio-system/cacerts: " + string.Join("; ", problems) + ".",
                "Rewrite cacerts from one root: Install-MeshCertificate -CertificateAuthority $ca -Force -RestartIstiod.");
        }

        return Result.Pass(Chain, context,
            $"{bundle.Intermediate!.Subject} is signed by {bundle.Root!.Subject} and ca-key.pem is its key.");
    }
}
