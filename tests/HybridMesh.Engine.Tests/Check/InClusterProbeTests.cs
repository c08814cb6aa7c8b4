using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Probe;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;
using HybridMesh.Lab.Mesh;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Check.IstiodCheck;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>Test-MeshConnectivity's checks with istiod's view and the in-cluster probes (docs/design/in-cluster-probes.md).</summary>
internal static class ProbeCheck
{
    public static Task<IReadOnlyList<MeshCheck>> RunAsync(LabHost lab, ProbeOptions? probes = null) =>
        MeshChecker.RunAsync(MeshWiring.Targets(lab), new MeshCheckOptions
        {
            Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 },
            Google = GoogleTestKit.Options(lab.Fleet!),
            IstiodView = true,
            Probes = probes ?? new ProbeOptions { ReadyTimeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(20) },
        }, new RecordingSink());

    public static IReadOnlyList<System.Text.Json.Nodes.JsonObject> ProbePods(LabCluster c) =>
        c.ListObjects("v1", "Pod", "istio-system").Where(p => (string?)p["metadata"]?["labels"]?["app"] == ProbePod.AppLabel).ToArray();
}

/// <summary>
/// In-cluster probes against the lab: one probe pod per cluster calls every peer's API server (through T's remote secret)
/// and gateway from inside; a healthy mesh passes, and each pod-side fault fails exactly the checks that name it.
/// </summary>
public sealed class InClusterProbeTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    [Fact]
    public async Task Healthy_mesh_passes_with_one_probe_pod_and_one_exec_per_cluster_and_leaves_no_pod()
    {
        foreach (var c in Lab.Clusters) c.RequestLog.Clear();
        var execs = Lab.Clusters.ToDictionary(c => c.Name, c => Lab.Probe(c).Executed);
        var checks = await ProbeCheck.RunAsync(Lab);
        Assert.Equal(2 * 7 + 2 * 4 + 2 + 2 + 2 + 2, checks.Count);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        var api = One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context);
        Assert.Contains($"{C2.Server} answered GET /version 200", api.Detail);
        Assert.Equal(["GET /version", "list services"], api.Probes.Select(p => p.Step));
        Assert.All(api.Probes, p => Assert.True(p.Succeeded && p.LatencyMs is >= 0 && p.HttpStatus == 200 && p.Target == MeshProbeTarget.ApiServer));
        var gw = One(checks, ProbeCheckNames.PodGatewayReach, C2.Context, C1.Context);
        Assert.Contains("accepts TCP on 15443", gw.Detail);
        Assert.Equal(["TCP 15443", "GET :15021/healthz/ready"], gw.Probes.Select(p => p.Step));
        foreach (var c in Lab.Clusters)
        {
            var log = c.RequestLog.Entries;
            Assert.Single(log, e => e.Method == "POST" && e.Path.EndsWith("/namespaces/istio-system/pods", StringComparison.Ordinal));
            Assert.Equal(1, Lab.Probe(c).Executed - execs[c.Name]);
            Assert.Single(log, e => e.Method == "DELETE" && e.Path.Contains("/pods/" + ProbePod.AppLabel, StringComparison.Ordinal));
            Assert.Empty(ProbeCheck.ProbePods(c));
        }
    }

    [Fact]
    public async Task Probe_pod_has_no_sidecar_no_token_and_mounts_the_remote_secrets()
    {
        var checks = await ProbeCheck.RunAsync(Lab, new ProbeOptions { KeepWorkload = true, Image = "mirror.example/curl:8", PollInterval = TimeSpan.FromMilliseconds(20) });
        Assert.DoesNotContain(checks, c => c.Status == MeshCheckStatus.Failed);
        var pod = Assert.Single(ProbeCheck.ProbePods(C1));
        Assert.Equal("false", (string?)pod["metadata"]!["annotations"]!["sidecar.istio.io/inject"]);
        Assert.Equal("mirror.example/curl:8", (string?)pod["spec"]!["containers"]![0]!["image"]);
        Assert.False((bool)pod["spec"]!["automountServiceAccountToken"]!);
        // One projected volume with just the key each call reads (docs/design/in-cluster-probes.md).
        var source = Assert.Single(Assert.Single(pod["spec"]!["volumes"]!.AsArray())!["projected"]!["sources"]!.AsArray())!["secret"]!;
        Assert.Equal(RemoteSecretRenderer.SecretName(C2.ClusterId), (string?)source["name"]);
        Assert.Equal($"{RemoteSecretRenderer.SecretName(C2.ClusterId)}/{C2.ClusterId}", (string?)source["items"]![0]!["path"]);
        Assert.True((bool)source["optional"]!);
        Assert.Equal("Running", (string?)pod["status"]!["phase"]);
        foreach (var c in Lab.Clusters)
        {
            foreach (var p in ProbeCheck.ProbePods(c)) c.DeleteObject("v1", "Pod", "istio-system", (string)p["metadata"]!["name"]!);
        }
    }

    [Fact]
    public async Task Run_right_after_a_run_passes_beside_leftover_probe_pods_and_removes_only_its_own()
    {
        // The probe pod is deleted without waiting (docs/design/in-cluster-probes.md): a re-run must never meet the
        // previous run's pod, whether it is still terminating or was kept with -KeepWorkload.
        static string[] Names(LabCluster c) => ProbeCheck.ProbePods(c).Select(p => (string)p["metadata"]!["name"]!).Order(StringComparer.Ordinal).ToArray();
        var fast = TimeSpan.FromMilliseconds(20);
        await ProbeCheck.RunAsync(Lab, new ProbeOptions { KeepWorkload = true, ReadyTimeout = TimeSpan.FromSeconds(10), PollInterval = fast });
        var kept = Lab.Clusters.ToDictionary(c => c.Name, Names);
        Assert.All(kept.Values, names => Assert.Single(names));
        try
        {
            foreach (var run in new[] { 1, 2 })
            {
                var checks = await ProbeCheck.RunAsync(Lab);
                var probes = checks.Where(c => c.Check is ProbeCheckNames.PodApiServerReach or ProbeCheckNames.PodGatewayReach).ToArray();
                Assert.Equal(4, probes.Length);
                Assert.All(probes, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"run {run}: {c}: {c.Detail}"));
                Assert.All(Lab.Clusters, c => Assert.Equal(kept[c.Name], Names(c)));
            }
        }
        finally
        {
            foreach (var c in Lab.Clusters)
            {
                foreach (var name in Names(c)) c.DeleteObject("v1", "Pod", "istio-system", name);
            }
        }
    }

    [Fact]
    public async Task Pods_partitioned_from_the_peer_api_server_fail_the_pod_probe_and_istiods_sync_only()
    {
        Lab.Partitions.Add(C1, C2, PartitionTarget.ApiServer);
        var checks = await ProbeCheck.RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context),
            (ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context));
        var api = One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context);
        Assert.Equal(MeshProbeError.Timeout, api.Probes[0].Error);
        Assert.Contains("no answer within the timeout", api.Detail);
        Assert.Contains("VPN or firewall rule", api.RecommendedAction);
        Assert.Contains($"New-Mesh -ServerOverride @{{ '{C2.ClusterId}' = 'https://<address>' }}", api.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context).Status);
    }

    [Fact]
    public async Task Pods_partitioned_from_the_peer_gateway_fail_the_gateway_probe_only()
    {
        Lab.Partitions.Add(C1, C2, PartitionTarget.Gateway);
        var checks = await ProbeCheck.RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (ProbeCheckNames.PodGatewayReach, C1.Context, C2.Context));
        var gw = One(checks, ProbeCheckNames.PodGatewayReach, C1.Context, C2.Context);
        Assert.Equal(MeshProbeError.Timeout, gw.Probes[0].Error);
        Assert.Contains(":15443 cannot be reached", gw.Detail);
        Assert.Contains("TCP 15443 and 15021", gw.RecommendedAction);
        Assert.Contains("firewall rule", gw.RecommendedAction);
    }

    [Fact]
    public async Task Override_reachable_from_pods_but_not_from_this_machine_passes()
    {
        const string privateAddress = "https://cluster2.internal.example:6443";
        Lab.Partitions.AddPodOnlyAddress(privateAddress, C2);
        C1.PutObject(RemoteSecretRenderer.Render(new RemoteSecretSource(
            C2.ClusterId, privateAddress, System.Text.Encoding.UTF8.GetBytes(C2.CaCertificatePem), ReaderToken(C2))));

        var checks = await ProbeCheck.RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed);
        AssertOnly(checks, MeshCheckStatus.Warning);
        var credentials = One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context);
        Assert.Contains("Pods in", credentials.Detail);
        Assert.Contains(ProbeCheckNames.PodApiServerReach, credentials.Detail);
        Assert.Contains($"{privateAddress} answered GET /version 200", One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context).Detail);
        Assert.True(MeshChecker.AllPassed(checks));
    }

    [Fact]
    public async Task Override_reachable_from_nowhere_fails_with_the_pods_reason_and_the_remedy()
    {
        const string privateAddress = "https://cluster2.vpn-down.example:6443";
        C1.PutObject(RemoteSecretRenderer.Render(new RemoteSecretSource(
            C2.ClusterId, privateAddress, System.Text.Encoding.UTF8.GetBytes(C2.CaCertificatePem), ReaderToken(C2))));

        var checks = await ProbeCheck.RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (CheckNames.RemoteSecretServer, C1.Context, C2.Context),
            (CheckNames.RemoteSecretCredentials, C1.Context, C2.Context), (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context),
            (ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context));
        var api = One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context);
        Assert.Equal(MeshProbeError.Dns, api.Probes[0].Error);
        Assert.Contains("does not resolve", api.Detail);
        var credentials = One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context);
        Assert.Contains("-ServerOverride", credentials.RecommendedAction);
    }

    [Fact]
    public async Task Revoked_reader_token_is_a_401_from_inside_too()
    {
        C2.RevokeToken(ReaderToken(C2));
        var checks = await ProbeCheck.RunAsync(Lab);
        var api = One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context);
        Assert.Equal(MeshCheckStatus.Failed, api.Status);
        Assert.Equal(MeshProbeError.Unauthorized, api.Probes[0].Error);
        Assert.Equal(401, api.Probes[0].HttpStatus);
        Assert.Contains("Update-MeshLinkCredential", api.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, ProbeCheckNames.PodApiServerReach, C2.Context, C1.Context).Status);
    }

    [Fact]
    public async Task Image_that_cannot_be_pulled_is_a_warning_naming_probe_image_and_the_pod_is_removed()
    {
        C1.FailImagePull(ProbeOptions.DefaultImage);
        var checks = await ProbeCheck.RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed);
        AssertOnly(checks, MeshCheckStatus.Warning, (ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context),
            (ProbeCheckNames.PodGatewayReach, C1.Context, C2.Context));
        var api = One(checks, ProbeCheckNames.PodApiServerReach, C1.Context, C2.Context);
        Assert.Contains("ErrImagePull", api.Detail);
        Assert.Contains("-ProbeImage", api.RecommendedAction);
        Assert.Empty(ProbeCheck.ProbePods(C1));
    }

    [Fact]
    public async Task Pods_that_may_not_be_created_are_a_warning_not_a_crash()
    {
        C2.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 403, Method = "POST", PathContains = "/namespaces/istio-system/pods" });
        var checks = await ProbeCheck.RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed);
        AssertOnly(checks, MeshCheckStatus.Warning, (ProbeCheckNames.PodApiServerReach, C2.Context, C1.Context),
            (ProbeCheckNames.PodGatewayReach, C2.Context, C1.Context));
        Assert.Contains("may not create pods", One(checks, ProbeCheckNames.PodGatewayReach, C2.Context, C1.Context).Detail);
    }

    [Fact]
    public async Task Exec_the_kubelet_refuses_is_a_warning_with_the_kubelet_action()
    {
        var saved = C2.ExecHandler;
        C2.ExecHandler = null;
        try
        {
            var checks = await ProbeCheck.RunAsync(Lab);
            AssertOnly(checks, MeshCheckStatus.Failed);
            var api = One(checks, ProbeCheckNames.PodApiServerReach, C2.Context, C1.Context);
            Assert.Equal(MeshCheckStatus.Warning, api.Status);
            Assert.Contains("could not reach the kubelet", api.Detail);
            Assert.Contains("10250", api.RecommendedAction);
            Assert.Empty(ProbeCheck.ProbePods(C2));
        }
        finally
        {
            C2.ExecHandler = saved;
        }
    }
}

/// <summary>A healthy three-cluster mesh passes every probe; a partition fails only its own direction.</summary>
public sealed class ThreeClusterProbeTests(ThreeClusterMesh mesh) : IClassFixture<ThreeClusterMesh>
{
    [Fact]
    public async Task Healthy_three_cluster_mesh_passes_every_probe_and_a_partition_fails_one_direction()
    {
        var lab = mesh.Lab;
        lab.ClearMeshFaults();
        var checks = await ProbeCheck.RunAsync(lab);
        Assert.Equal(3 * 7 + 6 * 4 + 3 + 6 + 6 + 6, checks.Count);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));

        lab.Partitions.Add(lab.Clusters[2], lab.Clusters[0], PartitionTarget.Gateway);
        try
        {
            checks = await ProbeCheck.RunAsync(lab);
            AssertOnly(checks, MeshCheckStatus.Failed, (ProbeCheckNames.PodGatewayReach, lab.Clusters[2].Context, lab.Clusters[0].Context));
        }
        finally
        {
            lab.ClearMeshFaults();
        }
    }
}

/// <summary>Where pods/exec is forbidden, istiod's view is read through pods/proxy to port 15014.</summary>
public sealed class IstiodProxyFallbackTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    [Fact]
    public async Task Exec_forbidden_reads_clusterz_through_pods_proxy_and_passes()
    {
        C1.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 403, PathContains = "/exec" });
        var before = Lab.Istiod(C1).Answered;
        var checks = await RunAsync(Lab);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        Assert.Equal(1, Lab.Istiod(C1).Answered - before);
        Assert.Contains($"lists '{C2.ClusterId}' as synced", One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context).Detail);
    }

    [Fact]
    public async Task Exec_and_proxy_forbidden_is_a_warning_naming_both_grants()
    {
        C1.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 403, PathContains = "/exec" });
        C1.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 403, PathContains = "/proxy/" });
        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed);
        AssertOnly(checks, MeshCheckStatus.Warning, (IstiodCheckNames.IstiodRemoteClusters, C1.Context, null),
            (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
        var list = One(checks, IstiodCheckNames.IstiodRemoteClusters, C1.Context);
        Assert.Contains("pods/proxy is forbidden too (403)", list.Detail);
        Assert.Contains("get on pods/proxy", list.RecommendedAction);
    }

    [Fact]
    public async Task Pods_proxy_to_istiod_answers_like_a_real_api_server()
    {
        var pod = C1.ListObjects("v1", "Pod", "istio-system").First(p => (string?)p["metadata"]!["labels"]!["app"] == "istiod");
        var name = (string)pod["metadata"]!["name"]!;
        using var http = C1.CreateHttpClient(C1.AdminToken);
        using var ok = await http.GetAsync($"/api/v1/namespaces/istio-system/pods/{name}:15014/proxy/debug/clusterz");
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Contains(C2.ClusterId, await ok.Content.ReadAsStringAsync());
        using var closed = await http.GetAsync($"/api/v1/namespaces/istio-system/pods/{name}:8080/proxy/debug/clusterz");
        Assert.Equal(503, (int)closed.StatusCode);
        Assert.Contains("connection refused", await closed.Content.ReadAsStringAsync());
        using var missing = await http.GetAsync("/api/v1/namespaces/istio-system/pods/nope:15014/proxy/debug/clusterz");
        Assert.Equal(404, (int)missing.StatusCode);
    }
}
