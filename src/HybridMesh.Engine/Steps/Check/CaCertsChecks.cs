using HybridMesh.Engine.Kube;
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

    public static async Task<IReadOnlyList<MeshCheck>> RunAsync(ClusterSnapshot s, KubeSessionOptions options, CancellationToken ct)
    {
        if (!s.Reachable)
        {
            return [];
        }

        System.Text.Json.Nodes.JsonObject? secret;
        try
        {
            using var session = KubeSession.Open(s.Target.Cluster, options);
            secret = await session.GetAsync("v1", "Secret", CaCertsSecret.Namespace, CaCertsBundle.SecretName, ct).ConfigureAwait(false);
        }
        catch (MeshException ex) when (ex.ErrorId == "KubeForbidden")
        {
            return [Result.Warn(Chain, s.Context, "Not allowed to read Secret istio-system/cacerts; the plug-in CA is not checked.",
                "Run the check with credentials that may get secrets in istio-system.")];
        }
        catch (MeshException ex)
        {
            return [Result.Skip(Chain, s.Context, $"Secret istio-system/cacerts could not be read: {ex.Message}")];
        }

        if (secret is null)
        {
            return [];
        }

        using var bundle = CaCertsBundle.From(secret);
        return [CheckValidity(s.Context, bundle, DateTime.UtcNow), CheckChain(s.Context, bundle)];
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
