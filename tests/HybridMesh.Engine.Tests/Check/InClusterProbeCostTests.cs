using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Probe;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// What the in-cluster checks cost each cluster's API server (docs/design/in-cluster-probes.md, "The cost"), counted in
/// the lab's request logs: the snapshot, the probe and istiod's view share one session per cluster, and the probe pod's curl calls
/// reach the peer's API server as requests of their own.
/// </summary>
public sealed class InClusterProbeCostTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    private Task<IReadOnlyList<MeshCheck>> RunAsync(bool inCluster) =>
        MeshChecker.RunAsync(MeshWiring.Targets(Lab), new MeshCheckOptions
        {
            Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 },
            Google = GoogleTestKit.Options(Lab.Fleet!),
            IstiodView = inCluster,
            Probes = inCluster ? new ProbeOptions { ReadyTimeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(20) } : null,
        }, new RecordingSink());

    /// <summary>GET /api/v1: the discovery document each new session reads once before its first request for a core kind.</summary>
    private static int Discoveries(LabCluster c) => c.RequestLog.Entries.Count(e => e.Method == "GET" && e.Path == "/api/v1");

    [Fact]
    public async Task Probe_and_istiod_view_add_no_session_to_the_one_that_reads_the_cluster()
    {
        foreach (var c in Lab.Clusters) c.RequestLog.Clear();
        await RunAsync(inCluster: false);
        var without = Lab.Clusters.ToDictionary(c => c.Name, Discoveries);
        foreach (var c in Lab.Clusters) c.RequestLog.Clear();
        var checks = await RunAsync(inCluster: true);
        Assert.All(checks.Where(c => c.Check is ProbeCheckNames.PodApiServerReach or IstiodCheckNames.RemoteClusterSync),
            c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        // istiod's exec and the probe pod's create, watch, exec and delete go through the session that read the cluster.
        Assert.All(Lab.Clusters, c => Assert.Equal(without[c.Name], Discoveries(c)));
    }

    [Fact]
    public async Task Probe_pod_calls_reach_the_peer_api_server_as_requests_with_the_reader_token()
    {
        // The istiods' informer lists (after the re-wiring) also reach the peers as pod requests: let them finish first.
        await WaitForQuietAsync();
        foreach (var c in Lab.Clusters) c.RequestLog.Clear();
        var checks = await ProbeCheck.RunAsync(Lab);
        Assert.All(checks.Where(c => c.Check == ProbeCheckNames.PodApiServerReach), c => Assert.Equal(MeshCheckStatus.Passed, c.Status));
        foreach (var c in Lab.Clusters)
        {
            // Each peer's probe pod (one here) sent GET /version and one service list, answered 200 and logged as curl's.
            var fromPods = c.RequestLog.Entries.Where(e => e.UserAgent?.StartsWith("curl/", StringComparison.Ordinal) == true).ToArray();
            Assert.Equal(["GET /version 200", "GET /api/v1/services?limit=1 200"],
                fromPods.Select(e => $"{e.Method} {e.Path}{e.Query} {e.Status}").OrderDescending(StringComparer.Ordinal));
        }
    }

    /// <summary>GETs of one probe pod by name (polls) and watches of the probe pods, in a cluster's request log.</summary>
    private static (int Polls, int Watches) PodReads(LabCluster c) =>
        (c.RequestLog.Entries.Count(e => e.Method == "GET" && e.Path.StartsWith("/api/v1/namespaces/istio-system/pods/" + ProbePod.AppLabel, StringComparison.Ordinal)
                                          && !e.Path.EndsWith("/exec", StringComparison.Ordinal)),
         c.RequestLog.Entries.Count(e => e.Method == "GET" && e.Path == "/api/v1/namespaces/istio-system/pods" && e.Query.Contains("watch=1", StringComparison.Ordinal)
                                          && e.Query.Contains("metadata.name%3D" + ProbePod.AppLabel, StringComparison.Ordinal)));

    [Fact]
    public async Task Probe_pod_start_is_awaited_with_one_watch_and_no_polling()
    {
        foreach (var c in Lab.Clusters) c.RequestLog.Clear();
        // A slow poll: had the module polled, the run would show its GETs.
        var checks = await ProbeCheck.RunAsync(Lab, new ProbeOptions { ReadyTimeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(20) });
        Assert.All(checks.Where(c => c.Check == ProbeCheckNames.PodApiServerReach), c => Assert.Equal(MeshCheckStatus.Passed, c.Status));
        Assert.All(Lab.Clusters, c => Assert.Equal((0, 1), PodReads(c)));
    }

    [Fact]
    public async Task Probe_pod_start_is_polled_when_the_watch_is_refused()
    {
        foreach (var c in Lab.Clusters)
        {
            c.RequestLog.Clear();
            c.Faults.Add(new HybridMesh.Lab.Faults.FaultRule { Kind = HybridMesh.Lab.Faults.FaultKind.Status, StatusCode = 403, PathContains = "watch=1", Count = 1 });
        }

        try
        {
            var checks = await ProbeCheck.RunAsync(Lab);
            Assert.All(checks.Where(c => c.Check is ProbeCheckNames.PodApiServerReach or ProbeCheckNames.PodGatewayReach),
                c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
            Assert.All(Lab.Clusters, c => Assert.True(PodReads(c) is { Polls: >= 1, Watches: 1 }, $"{c.Name}: {PodReads(c)}"));
        }
        finally
        {
            foreach (var c in Lab.Clusters) c.ClearFaults();
        }
    }
}
