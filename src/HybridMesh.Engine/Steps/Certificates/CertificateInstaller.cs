using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Gateway;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>
/// Install-MeshCertificate: plugs one root into every cluster (docs/design/shared-root.md). Per cluster it keeps a
/// valid intermediate of the same root (Unchanged), issues one where cacerts is missing, broken or about to expire,
/// refuses to replace cacerts of another root without -Force, and writes the Secret by server-side apply. Because
/// istiod reads cacerts only at start, it then reports a pending restart, or restarts istiod and proves that the
/// cluster serves the new root.
/// </summary>
public static class CertificateInstaller
{
    public const int ActivityId = 71;

    public static async Task<IReadOnlyList<MeshCertificateInstall>> InstallManyAsync(IReadOnlyList<MeshTarget> targets,
        CertificateInstallRequest request, IMeshSink sink, CancellationToken cancellationToken = default)
    {
        var kube = request.Kube with { Sink = request.Kube.Sink ?? sink };
        var results = await BoundedFanOut.RunAsync(targets, request.ThrottleLimit, sink, ActivityId, "Installing mesh certificates",
            t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, kube);
                return await InstallAsync(session, target, request, sink, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return results.OfType<MeshCertificateInstall>().ToArray();
    }

    internal static async Task<MeshCertificateInstall> InstallAsync(KubeSession session, MeshTarget target,
        CertificateInstallRequest request, IMeshSink sink, CancellationToken ct)
    {
        const string ns = IstioNames.SystemNamespace;
        var ca = request.Authority;
        if (await session.GetAsync("v1", "Namespace", null, ns, ct).ConfigureAwait(false) is null)
        {
            throw MeshErrors.IstioNamespaceMissing(session.Context, ns);
        }

        var secretTarget = ManagedObjectWriter.Target("Secret", ns, CaCertsBundle.SecretName, session.Context);
        var live = await session.GetAsync("v1", "Secret", ns, CaCertsBundle.SecretName, ct).ConfigureAwait(false);
        var decision = Decide(live, ca, request, session.Context);
        ObjectOutcome outcome;
        string subject;
        DateTime? notAfter;
        if (decision.Keep)
        {
            sink.Verbose($"{secretTarget}: {decision.Reason}; up to date.");
            (outcome, subject, notAfter) = (ObjectOutcome.Unchanged, decision.Subject, decision.NotAfter);
        }
        else
        {
            var issued = IntermediateIssuer.Issue(ca, target.Cluster.Name, request.IntermediateYears);
            (subject, notAfter) = (issued.Subject, issued.NotAfter);
            var action = live is null ? "Create (plug-in CA for istiod)" : $"Replace the intermediate CA ({decision.Reason})";
            if (!sink.ShouldProcess(secretTarget, action))
            {
                outcome = ObjectOutcome.Skipped;
            }
            else
            {
                var desired = CaCertsSecret.Render(issued, includeKey: true);
                // Forced apply: the one guard that matters (cacerts of another root) was passed above, and a cacerts of
                // this root that asmcli or kubectl wrote must be renewable without an ownership conflict.
                var result = await session.ApplyAsync(desired, KubeSession.DefaultFieldManager, true, false, ct)
                    .ConfigureAwait(false);
                outcome = result.Outcome == ApplyOutcome.Created ? ObjectOutcome.Created : ObjectOutcome.Configured;
                sink.Verbose($"{secretTarget}: {outcome} ({decision.Reason}); intermediate {issued}.");
            }
        }

        var served = await IstiodRestarter.ServedRootsAsync(session, ct).ConfigureAwait(false);
        // The roots cacerts holds now: the kept Secret's (it may bundle more than this CA's root), else this CA's. istiod
        // serving them is judged exactly as the SharedRoot rule judges it (RootChecks.Serves), so a cacerts written by an
        // earlier run that istiod has not loaded yet is Pending here and failed there.
        var plugged = outcome == ObjectOutcome.Unchanged
            ? ClusterInspector.CaCertsRoots(live, session.Context, sink) ?? [ca.Fingerprint]
            : [ca.Fingerprint];
        var servesRoot = served.Count > 0 && RootChecks.Serves(served, plugged);
        var needsRestart = outcome is ObjectOutcome.Created or ObjectOutcome.Configured || (!servesRoot && outcome != ObjectOutcome.Skipped);
        var state = needsRestart ? IstiodRestartState.Pending : servesRoot ? IstiodRestartState.NotNeeded : IstiodRestartState.Skipped;
        var restartedAt = DateTime.UtcNow;
        if (needsRestart && request.RestartIstiod)
        {
            (state, served) = await RestartAsync(session, target, request, plugged, sink, restartedAt, ct).ConfigureAwait(false);
        }

        var (proxies, commands) = state is IstiodRestartState.Pending or IstiodRestartState.Restarted or IstiodRestartState.Skipped
            ? await ProxyPods.BeforeAsync(session, restartedAt, sink, ct).ConfigureAwait(false)
            : (0, []);
        if (state == IstiodRestartState.Pending)
        {
            sink.Warning($"[{session.Context}] istiod serves its old root until it restarts; run Install-MeshCertificate " +
                         "again with -RestartIstiod (or kubectl -n istio-system rollout restart deployment -l app=istiod).");
        }

        if (proxies > 0)
        {
            sink.Warning($"[{session.Context}] {proxies} pod(s) with an Istio proxy started before istiod loaded the new root " +
                         $"and keep their old certificates until restarted: {string.Join("; ", commands)}.");
        }

        return new MeshCertificateInstall(target.Cluster,
            new AppliedObject("Secret", ns, CaCertsBundle.SecretName, outcome, session.Context))
        {
            RootFingerprint = ca.Fingerprint,
            IntermediateSubject = subject,
            IntermediateNotAfter = notAfter,
            Reason = decision.Reason,
            IstiodRestart = state,
            ServedRootFingerprints = served.ToArray(),
            ProxyPodsBeforeRestart = proxies,
            WorkloadRestartCommands = commands,
            Revision = target.Revision,
        };
    }

    private static async Task<(IstiodRestartState, IReadOnlyList<string>)> RestartAsync(KubeSession session, MeshTarget target,
        CertificateInstallRequest request, IReadOnlyList<string> plugged, IMeshSink sink, DateTime restartedAt, CancellationToken ct)
    {
        var deployments = await IstiodRestarter.DeploymentsAsync(session, target.Revision, ct).ConfigureAwait(false);
        if (deployments.Count == 0)
        {
            throw MeshErrors.RevisionNotFound(session.Context);
        }

        var deadline = DateTime.UtcNow + request.Timeout;
        var restarted = 0;
        foreach (var deployment in deployments)
        {
            var what = ManagedObjectWriter.Target("Deployment", IstioNames.SystemNamespace, deployment, session.Context);
            if (!sink.ShouldProcess(what, "Restart istiod (rollout restart) so that it loads the new cacerts"))
            {
                continue;
            }

            await IstiodRestarter.RestartAsync(session, deployment, restartedAt, deadline, request.Timeout, sink, ActivityId + 1, ct)
                .ConfigureAwait(false);
            restarted++;
        }

        if (restarted == 0)
        {
            return (IstiodRestartState.Skipped, await IstiodRestarter.ServedRootsAsync(session, ct).ConfigureAwait(false));
        }

        // Wait for every root of cacerts, not just this CA's: it may already have been served before the restart.
        var served = await IstiodRestarter.AwaitServedRootsAsync(session, plugged, deadline, request.Timeout, ct)
            .ConfigureAwait(false);
        sink.Verbose($"[{session.Context}] istiod restarted ({string.Join(", ", deployments)}); the cluster serves root(s) {string.Join(", ", served)}.");
        return (IstiodRestartState.Restarted, served);
    }

    private sealed record Decision(bool Keep, string Reason, string Subject = "", DateTime? NotAfter = null);

    private static Decision Decide(System.Text.Json.Nodes.JsonObject? live, MeshCertificateAuthority ca,
        CertificateInstallRequest request, string context)
    {
        if (live is null)
        {
            return new Decision(false, "no cacerts yet");
        }

        using var bundle = CaCertsBundle.From(live);
        if (!bundle.RootFingerprints.Contains(ca.Fingerprint, StringComparer.OrdinalIgnoreCase))
        {
            var subject = bundle.Root?.Subject ?? "(no root certificate)";
            var fingerprint = bundle.RootFingerprints.FirstOrDefault() ?? "-";
            if (!request.Force)
            {
                throw MeshErrors.CaCertsOtherRoot(context, subject, fingerprint, ca.Fingerprint);
            }

            return new Decision(false, $"cacerts had root '{subject}' (SHA256 {fingerprint}); replaced with -Force");
        }

        var problems = bundle.ChainProblems();
        if (problems.Count > 0)
        {
            return new Decision(false, "the chain in cacerts is broken: " + string.Join("; ", problems));
        }

        var now = DateTime.UtcNow;
        var end = bundle.Intermediate!.NotAfter.ToUniversalTime();
        var remaining = bundle.Remaining(now);
        if (remaining <= TimeSpan.Zero)
        {
            return new Decision(false, $"the intermediate expired on {end:yyyy-MM-dd}");
        }

        if (remaining <= request.RenewWithin)
        {
            return new Decision(false, $"the intermediate expires on {end:yyyy-MM-dd}, within {request.RenewWithin.TotalDays:0} days");
        }

        return new Decision(true, $"valid intermediate of this root until {end:yyyy-MM-dd}", bundle.Intermediate.Subject, end);
    }

    /// <summary>-ManifestOnly: the Secret per cluster, ca-key.pem only with <paramref name="includeKey"/>. Contacts no cluster.</summary>
    public static IReadOnlyList<string> RenderManifests(IReadOnlyList<MeshTarget> targets, CertificateInstallRequest request,
        bool includeKey)
    {
        return targets.Select(t =>
        {
            var issued = IntermediateIssuer.Issue(request.Authority, t.Cluster.Name, request.IntermediateYears);
            return $"# Context {t.Context}: intermediate {issued.Subject}, until {issued.NotAfter:yyyy-MM-dd}\n" +
                   ManifestYaml.Serialize(CaCertsSecret.Render(issued, includeKey));
        }).ToArray();
    }

    /// <summary>
    /// -OutputDirectory: the four files per cluster (&lt;dir&gt;/&lt;cluster&gt;/), named as asmcli install's
    /// --ca_cert, --ca_key, --root_cert and --cert_chain expect; owner-only. Contacts no cluster.
    /// </summary>
    public static IReadOnlyList<string> WriteFiles(IReadOnlyList<MeshTarget> targets, CertificateInstallRequest request,
        string directory, IMeshSink sink)
    {
        var written = new List<string>();
        foreach (var t in targets)
        {
            var folder = Path.Combine(directory, SafeName(t.Cluster.Name));
            var files = new[] { CaCertsBundle.CertKey, CaCertsBundle.KeyKey, CaCertsBundle.RootKey, CaCertsBundle.ChainKey }
                .Select(f => Path.Combine(folder, f)).ToArray();
            if (!request.Force && files.FirstOrDefault(File.Exists) is { } existing)
            {
                throw MeshErrors.CaFileExists(existing);
            }

            var issued = IntermediateIssuer.Issue(request.Authority, t.Cluster.Name, request.IntermediateYears);
            Directory.CreateDirectory(folder);
            PrivateFiles.Write(files[0], issued.CertificatePem);
            PrivateFiles.Write(files[1], issued.KeyPem);
            PrivateFiles.Write(files[2], issued.RootPem);
            PrivateFiles.Write(files[3], issued.ChainPem);
            sink.Verbose($"[{t.Context}] Wrote {string.Join(", ", files)} (intermediate {issued.Subject}). Install with: asmcli install " +
                         $"--ca citadel --ca_cert {files[0]} --ca_key {files[1]} --root_cert {files[2]} --cert_chain {files[3]} ...");
            written.AddRange(files);
        }

        return written;
    }

    private static string SafeName(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
