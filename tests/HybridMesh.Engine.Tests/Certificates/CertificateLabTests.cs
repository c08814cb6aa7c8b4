using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Certificates;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Tests.Check;
using HybridMesh.Engine.Tests.Integration;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Certificates;

/// <summary>
/// The two-cluster lab of <see cref="CertificateLabTests"/>: distinct roots, wired as a mesh, then checkpointed; each
/// test starts from that state through a reset instead of a lab of its own (docs/design/lab-reuse.md).
/// </summary>
public sealed class DistinctRootsMesh : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hm-rootca-" + Guid.NewGuid().ToString("N")[..8]);

    public LabHost Lab { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = MeshWiring.Options(2, _directory);
        options.DistinctRoots = true;
        Lab = await LabHost.StartAsync(options);
        await MeshWiring.WireAsync(Lab);
        await Lab.CheckpointAsync();
    }

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}

/// <summary>
/// Install-MeshCertificate against the lab: two clusters whose istiods each serve their own self-signed root (a
/// broken mesh), then one root plugged into both. The lab's istiod reads cacerts only when its pod starts, and its
/// traffic model fails between clusters whose served roots differ — as a real mesh does.
/// </summary>
public sealed class CertificateLabTests(DistinctRootsMesh mesh) : IClassFixture<DistinctRootsMesh>, IAsyncLifetime
{
    private static readonly Lazy<MeshCertificateAuthority> Root = new(() => CertificateAuthorities.Create("Acme", MeshCaKeyAlgorithm.ECDSA));
    private readonly LabHost _lab = mesh.Lab;

    private LabCluster C1 => _lab.Clusters[0];
    private LabCluster C2 => _lab.Clusters[1];

    /// <summary>Back to the wired, never-installed mesh (cacerts, restarted istiods and served roots included).</summary>
    public Task InitializeAsync() => _lab.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<IReadOnlyList<MeshCertificateInstall>> InstallAsync(RecordingSink sink, MeshCertificateAuthority? ca = null,
        bool restart = false, bool force = false, int renewWithinDays = 30) =>
        CertificateInstaller.InstallManyAsync(MeshWiring.Targets(_lab), new CertificateInstallRequest(ca ?? Root.Value)
        {
            RestartIstiod = restart,
            Force = force,
            RenewWithin = TimeSpan.FromDays(renewWithinDays),
            Timeout = TimeSpan.FromSeconds(20),
            Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(10), MaxAttempts = 2 },
        }, sink);

    private static MeshCheck One(IReadOnlyList<MeshCheck> checks, string check, string cluster) =>
        Assert.Single(checks, c => c.Check == check && c.Cluster == cluster);

    private string ServedRoot(LabCluster c) =>
        (string)c.GetObject("v1", "ConfigMap", "istio-system", IstiodRestarter.RootConfigMap)!["data"]!["root-cert.pem"]!;

    [Fact]
    public async Task One_root_then_restart_makes_the_roots_shared_and_traffic_cross_clusters()
    {
        var before = await MeshWiring.CheckAsync(_lab);
        Assert.Equal(MeshCheckStatus.Failed, One(before, CheckNames.SharedRoot, C1.Context).Status);
        Assert.DoesNotContain(before, c => c.Check.StartsWith("CaCerts", StringComparison.Ordinal)); // no cacerts: nothing to check
        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(_lab), (C1, ["v1"]), (C2, ["v2"]));
        var oldRoots = (ServedRoot(C1), ServedRoot(C2));

        // Without -RestartIstiod: cacerts is written, but istiod keeps serving its old root.
        var sink = new RecordingSink();
        var installed = await InstallAsync(sink);
        Assert.Empty(sink.Errors);
        Assert.All(installed, r => Assert.Equal(ObjectOutcome.Created, r.Outcome));
        Assert.All(installed, r => Assert.Equal(IstiodRestartState.Pending, r.IstiodRestart));
        Assert.All(installed, r => Assert.DoesNotContain(Root.Value.Fingerprint, r.ServedRootFingerprints));
        Assert.All(installed, r => Assert.True(r.ProxyPodsBeforeRestart >= 1, "the east-west gateway runs an istio-proxy"));
        Assert.All(installed, r => Assert.Contains("kubectl rollout restart deployment -n istio-system", r.WorkloadRestartCommands));
        Assert.Contains(sink.Warnings, w => w.Contains("-RestartIstiod", StringComparison.Ordinal));
        Assert.Equal(oldRoots, (ServedRoot(C1), ServedRoot(C2)));
        var secret = C1.GetObject("v1", "Secret", "istio-system", "cacerts")!;
        Assert.Equal(["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"], ((JsonObject)secret["data"]!).Select(p => p.Key).Order().ToArray());
        Assert.Equal("hybridmesh", (string?)secret["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Contains(((JsonArray)secret["metadata"]!["managedFields"]!), f => (string?)f!["manager"] == "hybridmesh" && (string?)f["operation"] == "Apply");
        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(_lab), (C1, ["v1"]), (C2, ["v2"]));
        foreach (var c in _lab.Clusters) c.RequestLog.Clear();
        var pending = await MeshWiring.CheckAsync(_lab);
        // The CaCerts checks read cacerts from the snapshot's one list of istio-system Secrets, not with a GET of their own.
        Assert.All(_lab.Clusters, c => Assert.DoesNotContain(c.RequestLog.Entries, e => e.Path.EndsWith("/secrets/cacerts", StringComparison.Ordinal)));
        Assert.Equal(MeshCheckStatus.Passed, One(pending, CaCertsChecks.Validity, C1.Context).Status);
        Assert.Equal(MeshCheckStatus.Passed, One(pending, CaCertsChecks.Chain, C2.Context).Status);
        // Test-MeshConnectivity fails until istiod restarts, and says how: the cmdlet and its switch.
        Assert.False(MeshChecker.AllPassed(pending));
        foreach (var c in _lab.Clusters)
        {
            var shared = One(pending, CheckNames.SharedRoot, c.Context);
            Assert.Equal(MeshCheckStatus.Failed, shared.Status);
            Assert.Contains("istiod has not loaded cacerts; restart istiod", shared.Detail);
            Assert.Contains("Install-MeshCertificate -CertificateAuthority $ca -RestartIstiod", shared.RecommendedAction);
        }

        // A second run without the switch writes nothing and still reports the restart as pending (not NotNeeded).
        var c1Version = (string)C1.GetObject("v1", "Secret", "istio-system", "cacerts")!["metadata"]!["resourceVersion"]!;
        sink = new RecordingSink();
        var stillPending = await InstallAsync(sink);
        Assert.All(stillPending, r => Assert.Equal(ObjectOutcome.Unchanged, r.Outcome));
        Assert.All(stillPending, r => Assert.Equal(IstiodRestartState.Pending, r.IstiodRestart));
        Assert.Contains(sink.Warnings, w => w.Contains("-RestartIstiod", StringComparison.Ordinal));
        Assert.Equal(c1Version, (string)C1.GetObject("v1", "Secret", "istio-system", "cacerts")!["metadata"]!["resourceVersion"]!);

        // With -RestartIstiod: cacerts is left alone, istiod restarts and serves the new root; traffic crosses.
        var generation = (long)C1.GetObject("apps/v1", "Deployment", "istio-system", "istiod-" + MeshWiring.Revision)!["metadata"]!["generation"]!;
        sink = new RecordingSink();
        var restarted = await InstallAsync(sink, restart: true);
        Assert.Empty(sink.Errors);
        Assert.All(restarted, r => Assert.Equal(ObjectOutcome.Unchanged, r.Outcome));
        Assert.All(restarted, r => Assert.Equal(IstiodRestartState.Restarted, r.IstiodRestart));
        Assert.All(restarted, r => Assert.Equal([Root.Value.Fingerprint], r.ServedRootFingerprints));
        Assert.All(restarted, r => Assert.True(r.ProxyPodsBeforeRestart >= 1));
        var istiod = C1.GetObject("apps/v1", "Deployment", "istio-system", "istiod-" + MeshWiring.Revision)!;
        Assert.Equal(generation + 1, (long)istiod["metadata"]!["generation"]!);
        Assert.NotNull(istiod["spec"]!["template"]!["metadata"]!["annotations"]![IstiodRestarter.RestartedAtAnnotation]);
        Assert.Equal(Root.Value.CertificatePem.Trim(), ServedRoot(C1).Trim());

        var after = await MeshWiring.CheckAsync(_lab);
        Assert.All(after, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(_lab), (C1, ["v1", "v2"]), (C2, ["v1", "v2"]));

        // A re-run converges: nothing to write, nothing to restart, reads only.
        foreach (var c in _lab.Clusters) c.RequestLog.Clear();
        var again = await InstallAsync(new RecordingSink(), restart: true);
        Assert.All(again, r => Assert.Equal(ObjectOutcome.Unchanged, r.Outcome));
        Assert.All(again, r => Assert.Equal(IstiodRestartState.NotNeeded, r.IstiodRestart));
        Assert.All(again, r => Assert.Equal(0, r.ProxyPodsBeforeRestart));
        Assert.All(_lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
    }

    [Fact]
    public async Task A_restart_within_the_same_second_still_starts_a_new_istiod()
    {
        // restartedAt has kubectl's one-second precision (docs/design/shared-root.md): the second restart below asks
        // for the very second the first one wrote, as two runs (or two CAs) within one second do. Before the fix its
        // patch left the pod template as it was, no istiod started, and the new root was never served.
        var target = MeshWiring.Targets(_lab)[1];
        var deployment = "istiod-" + MeshWiring.Revision;
        using var session = KubeSession.Open(target.Cluster);
        var sink = new RecordingSink();
        var at = DateTime.UtcNow;
        var deadline = at + TimeSpan.FromSeconds(20);
        await IstiodRestarter.RestartAsync(session, deployment, at, deadline, TimeSpan.FromSeconds(20), sink, 1, default);
        var first = C2.GetObject("apps/v1", "Deployment", "istio-system", deployment)!;
        var firstStamp = (string)first["spec"]!["template"]!["metadata"]!["annotations"]![IstiodRestarter.RestartedAtAnnotation]!;

        using var other = CertificateAuthorities.Create("Same Second", MeshCaKeyAlgorithm.ECDSA);
        var pending = Assert.Single(await InstallAsync(new RecordingSink(), other, force: true), r => r.Context == C2.Context);
        Assert.Equal(IstiodRestartState.Pending, pending.IstiodRestart);
        var pods = C2.ListObjects("v1", "Pod", "istio-system").Where(p => (string?)p["metadata"]!["labels"]!["app"] == "istiod")
            .Select(p => (string)p["metadata"]!["name"]!).ToHashSet();

        await IstiodRestarter.RestartAsync(session, deployment, at, deadline, TimeSpan.FromSeconds(20), sink, 1, default);
        var served = await IstiodRestarter.AwaitServedRootsAsync(session, [other.Fingerprint],
            DateTime.UtcNow + TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), default);

        Assert.Equal([other.Fingerprint], served);
        var second = C2.GetObject("apps/v1", "Deployment", "istio-system", deployment)!;
        Assert.Equal((long)first["metadata"]!["generation"]! + 1, (long)second["metadata"]!["generation"]!);
        var secondStamp = (string)second["spec"]!["template"]!["metadata"]!["annotations"]![IstiodRestarter.RestartedAtAnnotation]!;
        Assert.True(string.CompareOrdinal(secondStamp, firstStamp) > 0, $"{secondStamp} after {firstStamp}");
        Assert.True(DateTime.Parse(secondStamp, null, System.Globalization.DateTimeStyles.AdjustToUniversal) <= DateTime.UtcNow,
            "the annotation never names a time that has not come yet");
        Assert.DoesNotContain(C2.ListObjects("v1", "Pod", "istio-system"), p => pods.Contains((string)p["metadata"]!["name"]!));
    }

    [Fact]
    public async Task A_cacerts_root_istiod_does_not_serve_is_Pending_as_the_rule_fails_it()
    {
        await InstallAsync(new RecordingSink(), restart: true);
        // cacerts of C1 now bundles a second root (as during a root rotation) that istiod has not loaded: the kept
        // intermediate is still of the mesh root, but istiod serves only that root.
        using var other = CertificateAuthorities.Create("Next Root", MeshCaKeyAlgorithm.ECDSA);
        var secret = (JsonObject)C1.GetObject("v1", "Secret", "istio-system", "cacerts")!.DeepClone();
        var bundled = Root.Value.CertificatePem.Trim() + "\n" + other.CertificatePem.Trim() + "\n";
        secret["data"]!["root-cert.pem"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(bundled));
        C1.PutObject(secret);

        var shared = One(await MeshWiring.CheckAsync(_lab), CheckNames.SharedRoot, C1.Context);
        Assert.Equal(MeshCheckStatus.Failed, shared.Status);
        Assert.Contains("-RestartIstiod", shared.RecommendedAction);
        var results = await InstallAsync(new RecordingSink());
        var r1 = Assert.Single(results, r => r.Context == C1.Context);
        Assert.Equal(ObjectOutcome.Unchanged, r1.Outcome);
        Assert.Equal(IstiodRestartState.Pending, r1.IstiodRestart);
        Assert.Equal(IstiodRestartState.NotNeeded, Assert.Single(results, r => r.Context == C2.Context).IstiodRestart);

        // The restart loads the bundle; both agree again (a restart within the same second as the first one is
        // made to change the pod template: A_restart_within_the_same_second_still_starts_a_new_istiod).
        var restarted = Assert.Single(await InstallAsync(new RecordingSink(), restart: true), r => r.Context == C1.Context);
        Assert.Equal(IstiodRestartState.Restarted, restarted.IstiodRestart);
        Assert.Equal([Root.Value.Fingerprint, other.Fingerprint], restarted.ServedRootFingerprints);
        Assert.Equal(MeshCheckStatus.Passed, One(await MeshWiring.CheckAsync(_lab), CheckNames.SharedRoot, C1.Context).Status);
    }

    [Fact]
    public async Task WhatIf_sends_only_reads_and_says_what_would_change()
    {
        foreach (var c in _lab.Clusters) c.RequestLog.Clear();
        var sink = RecordingSink.Declining();
        var results = await InstallAsync(sink, restart: true);
        Assert.All(results, r => Assert.Equal(ObjectOutcome.Skipped, r.Outcome));
        Assert.All(results, r => Assert.Equal(IstiodRestartState.Skipped, r.IstiodRestart));
        Assert.All(_lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
        Assert.Contains($"Create (plug-in CA for istiod): Secret istio-system/cacerts @ {C1.Context}", sink.Proposed);
        Assert.Null(C1.GetObject("v1", "Secret", "istio-system", "cacerts"));
    }

    [Fact]
    public async Task Expired_intermediate_is_reported_and_renewed_the_valid_one_is_kept()
    {
        await InstallAsync(new RecordingSink(), restart: true);
        // The root is minutes old: an intermediate that lived for its first 10 seconds has expired.
        var expired = IntermediateIssuer.Issue(Root.Value, C1.Name, Root.Value.NotBefore, Root.Value.NotBefore.AddSeconds(10));
        C1.PutObject(CaCertsSecret.Render(expired, includeKey: true));
        var c2Version = (string)C2.GetObject("v1", "Secret", "istio-system", "cacerts")!["metadata"]!["resourceVersion"]!;

        var checks = await MeshWiring.CheckAsync(_lab);
        var validity = One(checks, CaCertsChecks.Validity, C1.Context);
        Assert.Equal(MeshCheckStatus.Failed, validity.Status);
        Assert.Contains("intermediate CA in cacerts expired", validity.Detail);
        Assert.Contains("Install-MeshCertificate", validity.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CaCertsChecks.Chain, C1.Context).Status);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CaCertsChecks.Validity, C2.Context).Status);

        var renewed = await InstallAsync(new RecordingSink(), restart: true);
        var r1 = Assert.Single(renewed, r => r.Context == C1.Context);
        Assert.Equal(ObjectOutcome.Configured, r1.Outcome);
        Assert.Contains("expired", r1.Reason);
        Assert.Equal(IstiodRestartState.Restarted, r1.IstiodRestart); // a new intermediate is used only after a restart
        Assert.True(r1.IntermediateNotAfter > DateTime.UtcNow.AddYears(1));
        Assert.Equal(ObjectOutcome.Unchanged, Assert.Single(renewed, r => r.Context == C2.Context).Outcome);
        Assert.Equal(c2Version, (string)C2.GetObject("v1", "Secret", "istio-system", "cacerts")!["metadata"]!["resourceVersion"]!);
        Assert.Equal(MeshCheckStatus.Passed, One(await MeshWiring.CheckAsync(_lab), CaCertsChecks.Validity, C1.Context).Status);

        // Expiring in 10 days: a warning, renewed under the default 30-day threshold, kept under a 5-day one.
        var soon = IntermediateIssuer.Issue(Root.Value, C2.Name, Root.Value.NotBefore, DateTimeOffset.UtcNow.AddDays(10));
        C2.PutObject(CaCertsSecret.Render(soon, includeKey: true));
        Assert.Equal(MeshCheckStatus.Warning, One(await MeshWiring.CheckAsync(_lab), CaCertsChecks.Validity, C2.Context).Status);
        Assert.Equal(ObjectOutcome.Unchanged, Assert.Single(await InstallAsync(new RecordingSink(), renewWithinDays: 5), r => r.Context == C2.Context).Outcome);
        var renewedSoon = Assert.Single(await InstallAsync(new RecordingSink()), r => r.Context == C2.Context);
        Assert.Equal(ObjectOutcome.Configured, renewedSoon.Outcome);
        Assert.Contains("within 30 days", renewedSoon.Reason);
    }

    [Fact]
    public async Task Cacerts_of_another_root_is_refused_naming_that_root_and_replaced_only_with_Force()
    {
        using var other = CertificateAuthorities.Create("Other Org", MeshCaKeyAlgorithm.ECDSA);
        C1.PutObject(CaCertsSecret.Render(IntermediateIssuer.Issue(other, C1.Name), includeKey: true));
        var version = (string)C1.GetObject("v1", "Secret", "istio-system", "cacerts")!["metadata"]!["resourceVersion"]!;

        var sink = new RecordingSink();
        var results = await InstallAsync(sink);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("CaCertsOtherRoot", error.ErrorId);
        Assert.Equal(C1.Context, error.Target);
        Assert.Contains("O=Other Org", error.Message);
        Assert.Contains(other.Fingerprint, error.Message);
        Assert.Contains("-Force", error.RecommendedAction);
        Assert.Equal(version, (string)C1.GetObject("v1", "Secret", "istio-system", "cacerts")!["metadata"]!["resourceVersion"]!);
        Assert.Equal(C2.Context, Assert.Single(results).Context); // the other cluster went on

        // A broken chain (key of another intermediate) is what the chain check reports.
        var a = IntermediateIssuer.Issue(other, C1.Name);
        var b = IntermediateIssuer.Issue(other, C1.Name);
        C1.PutObject(CaCertsSecret.Render(a with { KeyPem = b.KeyPem }, includeKey: true));
        var chain = One(await MeshWiring.CheckAsync(_lab), CaCertsChecks.Chain, C1.Context);
        Assert.Equal(MeshCheckStatus.Failed, chain.Status);
        Assert.Contains("ca-key.pem is not the key of ca-cert.pem", chain.Detail);

        sink = new RecordingSink();
        var forced = await InstallAsync(sink, force: true);
        Assert.Empty(sink.Errors);
        var r1 = Assert.Single(forced, r => r.Context == C1.Context);
        Assert.Equal(ObjectOutcome.Configured, r1.Outcome);
        Assert.Contains("replaced with -Force", r1.Reason);
        using var bundle = CaCertsBundle.From(C1.GetObject("v1", "Secret", "istio-system", "cacerts")!);
        Assert.Equal([Root.Value.Fingerprint], bundle.RootFingerprints);
        Assert.Empty(bundle.ChainProblems());
    }

    [Fact]
    public async Task Verbose_warnings_errors_and_results_hold_no_key_material()
    {
        var sink = new RecordingSink();
        var results = await InstallAsync(sink, restart: true);
        using var other = CertificateAuthorities.Create("Other", MeshCaKeyAlgorithm.ECDSA);
        await InstallAsync(sink, other); // refused: an error record
        var keys = _lab.Clusters.Select(c => c.GetObject("v1", "Secret", "istio-system", "cacerts")!["data"]!["ca-key.pem"]!.GetValue<string>())
            .Select(b64 => Encoding.UTF8.GetString(Convert.FromBase64String(b64))).ToArray();
        var text = string.Join("\n", sink.Verboses.Concat(sink.Warnings)
            .Concat(sink.Errors.Select(e => e.Message + e.RecommendedAction))
            .Concat(results.SelectMany(r => typeof(MeshCertificateInstall).GetProperties().Select(p => Show(p.GetValue(r))))));
        Assert.NotEmpty(sink.Errors);
        Assert.DoesNotContain("PRIVATE KEY", text);
        foreach (var key in keys)
        {
            var body = key.Split('\n')[1];
            Assert.DoesNotContain(body[..32], text);
        }
    }

    private static string Show(object? value) => value is System.Collections.IEnumerable e and not string
        ? string.Join(",", e.Cast<object>())
        : value?.ToString() ?? "";

}
