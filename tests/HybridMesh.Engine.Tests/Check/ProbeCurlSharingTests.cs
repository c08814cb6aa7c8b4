using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Probe;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;
using HybridMesh.Lab.Mesh;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Check.IstiodCheck;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// The lab answers a probe pod's curl calls from what the peer's authentication and RBAC decided once per (peer, token,
/// path) (PeerListAccess.CurlAsync, docs/design/scale.md): the kept answer must change exactly when the real one would
/// (a revoked or expired token, an RBAC change), and what a real API server does per request (faults, latency, its
/// request log) must still happen per call.
/// </summary>
public sealed class ProbeCurlSharingTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    private static MeshProbeResult VersionStep(IReadOnlyList<MeshCheck> checks, LabCluster from, LabCluster to) =>
        One(checks, ProbeCheckNames.PodApiServerReach, from.Context, to.Context).Probes.Single(p => p.Step == "GET /version");

    /// <summary>C1's probe pod's GET /version calls in C2's request log.</summary>
    private static int VersionCalls(LabCluster c) =>
        c.RequestLog.Entries.Count(e => e.Path == "/version" && e.UserAgent?.StartsWith("curl/", StringComparison.Ordinal) == true);

    [Fact]
    public async Task Every_call_of_repeated_runs_is_logged_and_delayed_by_the_peer()
    {
        C2.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = 400, PathContains = "/version" });
        C2.RequestLog.Clear();
        for (var run = 1; run <= 3; run++)
        {
            var checks = await ProbeCheck.RunAsync(Lab);
            var version = VersionStep(checks, C1, C2);
            Assert.Equal(200, version.HttpStatus);
            // The second and third runs find the answer kept: the latency is still the peer's, per call.
            Assert.True(version.LatencyMs >= 390, $"run {run}: {version.LatencyMs} ms");
            Assert.Equal(run, VersionCalls(C2));
        }
    }

    [Fact]
    public async Task Token_revoked_between_two_runs_is_a_401_in_the_second()
    {
        Assert.Equal(200, VersionStep(await ProbeCheck.RunAsync(Lab), C1, C2).HttpStatus);
        C2.RevokeToken(ReaderToken(C2));
        var checks = await ProbeCheck.RunAsync(Lab);
        Assert.Equal(401, VersionStep(checks, C1, C2).HttpStatus);
        Assert.Equal(MeshCheckStatus.Failed, One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context).Status);
        Assert.Equal(200, VersionStep(checks, C2, C1).HttpStatus);
        C2.ReinstateToken(ReaderToken(C2));
        Assert.Equal(200, VersionStep(await ProbeCheck.RunAsync(Lab), C1, C2).HttpStatus);
    }

    [Fact]
    public async Task Rbac_changed_between_two_runs_is_a_403_in_the_second()
    {
        Assert.Equal(200, VersionStep(await ProbeCheck.RunAsync(Lab), C1, C2).HttpStatus);
        var binding = C2.ListObjects("rbac.authorization.k8s.io/v1", "ClusterRoleBinding").Single(b =>
            (b["subjects"] as System.Text.Json.Nodes.JsonArray ?? []).Any(s => (string?)s?["name"] == IstioReaderRenderer.ServiceAccountName));
        var name = (string)binding["metadata"]!["name"]!;
        Assert.True(C2.DeleteObject("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, name));
        try
        {
            var checks = await ProbeCheck.RunAsync(Lab);
            var api = One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context);
            Assert.Equal(MeshCheckStatus.Failed, api.Status);
            Assert.Equal(403, api.Probes.Single(p => p.Step == "list services").HttpStatus);
            Assert.Equal(MeshCheckStatus.Passed, One(checks, ProbeCheckNames.PodApiServerReach, C2.Context, C1.Context).Status);
        }
        finally
        {
            binding.Remove("status");
            ((System.Text.Json.Nodes.JsonObject)binding["metadata"]!).Remove("resourceVersion");
            C2.PutObject(binding);
        }

        var after = await ProbeCheck.RunAsync(Lab);
        Assert.Equal(MeshCheckStatus.Passed, One(after, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context).Status);
    }

    [Fact]
    public async Task Fault_injected_on_the_peer_after_an_answer_is_kept_is_seen_by_the_call_it_hits_only()
    {
        // Asked directly (the module's own requests to C2 would also match a fault on /version).
        const string path = "/version";
        var token = ReaderToken(C2);
        Task<int?> Curl() => PeerListAccess.CurlAsync(C2, token, path, CancellationToken.None);
        Assert.Equal(200, await Curl());
        Assert.Equal(200, await Curl());
        C2.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, PathContains = path, Count = 1 });
        Assert.Equal(503, await Curl());
        // The fault is spent: the next call is answered as before.
        Assert.Equal(200, await Curl());
        C2.Faults.Add(new FaultRule { Kind = FaultKind.Reset, PathContains = path, Count = 1 });
        C2.RequestLog.Clear();
        Assert.Null(await Curl());
        Assert.Equal(200, await Curl());
        Assert.Equal(["/version 0 curl/8.16.0", "/version 200 curl/8.16.0"],
            C2.RequestLog.Entries.Where(e => e.Path == path).Select(e => $"{e.Path} {e.Status} {e.UserAgent}"));
    }

    [Fact]
    public async Task Kept_answer_ends_when_the_token_expires()
    {
        var token = C2.CreateServiceAccountToken("istio-system", IstioReaderRenderer.ServiceAccountName, TimeSpan.FromSeconds(2));
        Assert.Equal(200, await PeerListAccess.CurlAsync(C2, token, "/api/v1/services?limit=1", CancellationToken.None));
        Assert.Equal(200, await PeerListAccess.CurlAsync(C2, token, "/api/v1/services?limit=1", CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(401, await PeerListAccess.CurlAsync(C2, token, "/api/v1/services?limit=1", CancellationToken.None));
    }
}
