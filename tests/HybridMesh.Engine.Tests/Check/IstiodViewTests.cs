using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Lab;
using HybridMesh.Lab.Mesh;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Check.IstiodCheck;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// istiod's own view (/debug/clusterz over pods/exec) against the lab's simulated istiod: a healthy mesh passes,
/// and each fault fails exactly the check that names it, with the action that fixes it.
/// </summary>
public sealed class IstiodViewTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    private const string Failed = nameof(MeshCheckStatus.Failed);

    [Fact]
    public async Task Healthy_mesh_passes_istiods_view_with_one_exec_per_istiod_pod()
    {
        var before = Lab.Istiod(C1).Answered;
        var checks = await RunAsync(Lab);
        Assert.Equal(2 * 7 + 2 * 4 + 2 + 2, checks.Count);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context);
        Assert.Contains($"lists '{C2.ClusterId}' as synced from istio-system/{RemoteSecretRenderer.SecretName(C2.ClusterId)}", sync.Detail);
        Assert.Contains($"remote clusters: {C2.ClusterId}.", One(checks, IstiodCheckNames.IstiodRemoteClusters, C1.Context).Detail);
        Assert.Contains("(Istio 1.28)", One(checks, IstiodCheckNames.IstiodRemoteClusters, C1.Context).Detail);
        Assert.Equal(1, Lab.Istiod(C1).Answered - before); // one istiod pod, one exec
    }

    [Fact]
    public async Task Missing_secret_fails_the_secret_and_istiods_sync()
    {
        C1.DeleteObject("v1", "Secret", "istio-system", RemoteSecretRenderer.SecretName(C2.ClusterId));
        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (CheckNames.RemoteSecret, C1.Context, C2.Context), (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
        var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context);
        Assert.Contains("does not watch", sync.Detail);
        Assert.StartsWith("Run New-Mesh", sync.RecommendedAction);
    }

    [Fact]
    public async Task Secret_not_loaded_by_a_stale_istiod_names_the_secret_and_the_restart()
    {
        var name = RemoteSecretRenderer.SecretName(C2.ClusterId);
        var secret = C1.GetObject("v1", "Secret", "istio-system", name)!;
        C1.DeleteObject("v1", "Secret", "istio-system", name);
        await Lab.Istiod(C1).FreezeSnapshotAsync();
        secret["metadata"]!.AsObject().Remove("resourceVersion");
        C1.PutObject(secret);

        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
        var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context);
        Assert.Contains($"has not loaded istio-system/{name}", sync.Detail);
        Assert.Contains("rollout restart deployment -l app=istiod", sync.RecommendedAction);
    }

    [Fact]
    public async Task Stale_snapshot_after_the_secret_was_replaced_asks_for_a_restart()
    {
        var old = RemoteSecretRenderer.SecretName(C2.ClusterId);
        await Lab.Istiod(C1).FreezeSnapshotAsync();
        var replacement = C1.GetObject("v1", "Secret", "istio-system", old)!;
        replacement["metadata"]!["name"] = "istio-remote-secret-rotated";
        replacement["metadata"]!.AsObject().Remove("resourceVersion");
        replacement["metadata"]!.AsObject().Remove("uid");
        C1.PutObject(replacement);
        C1.DeleteObject("v1", "Secret", "istio-system", old);

        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
        var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context);
        Assert.Contains($"from istio-system/{old}, but the remote secret for '{C2.ClusterId}' is now istio-system/istio-remote-secret-rotated", sync.Detail);
        Assert.Contains("old snapshot", sync.Detail);
        Assert.Contains("rollout restart", sync.RecommendedAction);
    }

    [Fact]
    public async Task Istiod_timeout_points_at_the_network_path_and_server_override()
    {
        Lab.Istiod(C2).ForceTimeout(C1.ClusterId);
        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, C2.Context, C1.Context));
        var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C2.Context, C1.Context);
        Assert.Contains("as timeout", sync.Detail);
        Assert.Contains(C1.Server, sync.Detail);
        Assert.Contains("-ServerOverride", sync.RecommendedAction);
        Assert.Contains("VPN or firewall", sync.RecommendedAction);
    }

    [Fact]
    public async Task Extra_stale_id_fails_istiods_cluster_list_and_the_stale_secret_rule()
    {
        var token = ReaderToken(C2);
        C1.PutObject(MeshWiring.RemoteSecret(C2, "cn-decommissioned", token));
        var checks = await RunAsync(Lab);
        // The secret points at C2's server under another key, so the stale-secret rule (docs/design/rules.md) fails
        // RemoteSecret C1 -> C2 too; istiod's view adds that istiod really watches the foreign id.
        AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.IstiodRemoteClusters, C1.Context, null), (CheckNames.RemoteSecret, C1.Context, C2.Context));
        Assert.Contains("istio-remote-secret-cn-decommissioned", One(checks, CheckNames.RemoteSecret, C1.Context, C2.Context).Detail);
        var list = One(checks, IstiodCheckNames.IstiodRemoteClusters, C1.Context);
        Assert.Contains("'cn-decommissioned' (from istio-system/istio-remote-secret-cn-decommissioned, synced)", list.Detail);
        Assert.Contains("kubectl -n istio-system delete secret istio-remote-secret-cn-decommissioned", list.RecommendedAction);
        Assert.Contains("-RemoveStale", list.RecommendedAction);
    }

    [Fact]
    public async Task Pods_partitioned_from_the_peer_api_server_fail_although_this_machine_reaches_it()
    {
        Lab.Partitions.Add(C1, C2, PartitionTarget.ApiServer);
        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context).Status);
        var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context);
        Assert.Contains("cannot list services on " + C2.Server, sync.Detail);
        Assert.Contains("-ServerOverride", sync.RecommendedAction);
    }

    [Fact]
    public async Task Pods_partitioned_from_the_peer_gateway_lose_its_traffic_while_istiods_view_stays_synced()
    {
        // istiod can still watch cluster2 (its API server is reachable), so its view is synced; only the data path to
        // the gateway is cut, which the traffic test shows (in-cluster gateway probes are not built yet).
        Lab.Partitions.Add(C1, C2, PartitionTarget.Gateway);
        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed);
        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Override_reachable_from_pods_but_not_from_this_machine_passes_istiods_sync()
    {
        const string privateAddress = "https://cluster2.internal.example:6443";
        Lab.Partitions.AddPodOnlyAddress(privateAddress, C2);
        var token = ReaderToken(C2);
        C1.PutObject(RemoteSecretRenderer.Render(new RemoteSecretSource(
            C2.ClusterId, privateAddress, System.Text.Encoding.UTF8.GetBytes(C2.CaCertificatePem), token)));

        var checks = await RunAsync(Lab);
        AssertOnly(checks, MeshCheckStatus.Failed);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context).Status);
        // From this machine the address does not resolve: the workstation-only check can only warn.
        Assert.Equal(MeshCheckStatus.Warning, One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context).Status);
        Assert.True(MeshChecker.AllPassed(checks));
    }

    private void RenameSecretForC2(string newName)
    {
        var old = RemoteSecretRenderer.SecretName(C2.ClusterId);
        var replacement = C1.GetObject("v1", "Secret", "istio-system", old)!;
        replacement["metadata"]!["name"] = newName;
        replacement["metadata"]!.AsObject().Remove("resourceVersion");
        replacement["metadata"]!.AsObject().Remove("uid");
        C1.PutObject(replacement);
        C1.DeleteObject("v1", "Secret", "istio-system", old);
    }

    private MeshLink LinkC2ToC1(string secretName) => new()
    {
        Source = C2.ClusterId, Target = C1.ClusterId, SourceContext = C2.Context, TargetContext = C1.Context,
        SecretName = secretName, Server = C2.Server, Status = MeshLinkStatus.Connected, Outcome = MeshLinkOutcome.Configured,
    };

    private Task<IReadOnlyList<MeshLink>> WaitAsync(MeshLink link, double seconds) =>
        HybridMesh.Engine.Steps.Mesh.IstiodSyncWaiter.WaitAsync(MeshWiring.Targets(Lab), [link],
            new HybridMesh.Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 }, TimeSpan.FromSeconds(seconds),
            new RecordingSink(), CancellationToken.None, TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task New_mesh_wait_under_WhatIf_asks_istiod_nothing_and_returns_the_links_as_they_were()
    {
        // The sink says it is a what-if run (docs/design/what-if.md): nothing was written, so there is nothing to wait for.
        var link = LinkC2ToC1(RemoteSecretRenderer.SecretName(C2.ClusterId));
        var before = Lab.Istiod(C1).Answered;
        var links = await HybridMesh.Engine.Steps.Mesh.IstiodSyncWaiter.WaitAsync(MeshWiring.Targets(Lab), [link],
            new HybridMesh.Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 }, TimeSpan.FromSeconds(5),
            RecordingSink.Declining(), CancellationToken.None, TimeSpan.FromMilliseconds(100));
        Assert.Same(link, Assert.Single(links));
        Assert.Equal(MeshLinkSync.NotChecked, links[0].IstiodSync);
        Assert.Equal(before, Lab.Istiod(C1).Answered);
    }

    [Fact]
    public async Task New_mesh_wait_reports_synced_not_loaded_and_a_restart_reloads_a_stale_istiod()
    {
        Assert.Equal(MeshLinkSync.Synced, Assert.Single(await WaitAsync(LinkC2ToC1(RemoteSecretRenderer.SecretName(C2.ClusterId)), 5)).IstiodSync);

        await Lab.Istiod(C1).FreezeSnapshotAsync();
        RenameSecretForC2("istio-remote-secret-rotated");
        var stale = Assert.Single(await WaitAsync(LinkC2ToC1("istio-remote-secret-rotated"), 0.5));
        Assert.Equal(MeshLinkSync.NotLoaded, stale.IstiodSync);
        Assert.Contains("restart it", stale.Detail);

        var target = MeshWiring.Targets(Lab)[0];
        var kube = new HybridMesh.Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5) };
        var deployments = await HybridMesh.Engine.Steps.Mesh.IstiodRestarter.DeploymentsAsync(target, kube, CancellationToken.None);
        Assert.Equal([$"istiod-{MeshWiring.Revision}"], deployments);
        await HybridMesh.Engine.Steps.Mesh.IstiodRestarter.RestartAsync(target, deployments[0], kube, CancellationToken.None);
        Assert.NotNull(C1.GetObject("apps/v1", "Deployment", "istio-system", deployments[0])!["spec"]!["template"]!["metadata"]!["annotations"]![HybridMesh.Engine.Steps.Mesh.IstiodRestarter.Annotation]);
        var synced = Assert.Single(await WaitAsync(LinkC2ToC1("istio-remote-secret-rotated"), 10));
        Assert.True(synced.IstiodSync == MeshLinkSync.Synced, synced.Detail);
    }

    [Fact]
    public async Task New_mesh_wait_reports_unreachable_when_pods_are_partitioned()
    {
        Lab.Partitions.Add(C1, C2, PartitionTarget.ApiServer);
        var link = Assert.Single(await WaitAsync(LinkC2ToC1(RemoteSecretRenderer.SecretName(C2.ClusterId)), 0.5));
        Assert.Equal(MeshLinkSync.Unreachable, link.IstiodSync);
        Assert.Contains("as timeout", link.Detail);
    }

    [Fact]
    public async Task Istiod_pods_that_disagree_fail_naming_the_lagging_pod()
    {
        await Lab.Istiod(C1).FreezeSnapshotAsync();
        var name = $"istiod-{MeshWiring.Revision}";
        var deployment = C1.GetObject("apps/v1", "Deployment", "istio-system", name)!;
        deployment["spec"]!["replicas"] = 2;
        deployment["metadata"]!.AsObject().Remove("resourceVersion");
        C1.PutObject(deployment);
        try
        {
            for (var i = 0; i < 100 && C1.ListObjects("v1", "Pod", "istio-system").Count(p => (string?)p["metadata"]!["labels"]!["app"] == "istiod") < 2; i++)
            {
                await Task.Delay(20);
            }

            RenameSecretForC2("istio-remote-secret-rotated");
            var checks = await RunAsync(Lab);
            AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
            var sync = One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context);
            Assert.Contains("disagree", sync.Detail);
            Assert.StartsWith("Delete the lagging istiod pod(s)", sync.RecommendedAction);
        }
        finally
        {
            deployment = C1.GetObject("apps/v1", "Deployment", "istio-system", name)!;
            deployment["spec"]!["replicas"] = 1;
            deployment["metadata"]!.AsObject().Remove("resourceVersion");
            C1.PutObject(deployment);
        }
    }

    [Fact]
    public async Task Traffic_exec_the_kubelet_refuses_becomes_a_failed_check_with_an_action()
    {
        var saved = C2.ExecHandler;
        await MeshWiring.TrafficAsync(Lab); // the workload is ready and kept
        C2.ExecHandler = null;
        try
        {
            var results = await MeshWiring.TrafficAsync(Lab);
            var broken = Assert.Single(results, r => r.From == C2.Context);
            Assert.All(broken.Responses, r => Assert.StartsWith($"exec failed: The API server of '{C2.Context}' could not reach the kubelet", r));
            Assert.All(broken.Responses, r => Assert.DoesNotContain("101", r));
            Assert.Null(Assert.Single(results, r => r.From == C1.Context).RecommendedAction);
            var check = Assert.Single(HybridMesh.Engine.Steps.Traffic.TrafficExecChecks.From(results));
            Assert.Equal(("TrafficExec", C2.Context, MeshCheckStatus.Failed), (check.Check, check.Cluster, check.Status));
            Assert.Contains("port 10250", check.RecommendedAction);
        }
        finally
        {
            C2.ExecHandler = saved;
        }
    }

    [Fact]
    public async Task Exec_that_the_kubelet_refuses_is_a_warning_with_an_action_not_raw_websocket_text()
    {
        var saved = C1.ExecHandler;
        C1.ExecHandler = null;
        try
        {
            var checks = await RunAsync(Lab);
            AssertOnly(checks, MeshCheckStatus.Failed);
            AssertOnly(checks, MeshCheckStatus.Warning, (IstiodCheckNames.IstiodRemoteClusters, C1.Context, null),
                (IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context));
            var list = One(checks, IstiodCheckNames.IstiodRemoteClusters, C1.Context);
            Assert.Contains("could not reach the kubelet", list.Detail);
            Assert.DoesNotContain("101", list.Detail);
            Assert.Contains("10250", list.RecommendedAction);
        }
        finally
        {
            C1.ExecHandler = saved;
        }
    }
}

/// <summary>A healthy three-cluster mesh also passes istiod's view: one list check per cluster, one sync check per ordered link.</summary>
public sealed class ThreeClusterIstiodViewTests(ThreeClusterMesh mesh) : IClassFixture<ThreeClusterMesh>
{
    [Fact]
    public async Task Healthy_three_cluster_mesh_passes_every_istiod_check()
    {
        mesh.Lab.ClearMeshFaults();
        // The lab may have served another class before (MeshFixture's pool): count this run's answers only.
        var answered = mesh.Lab.Clusters.ToDictionary(c => c.Name, c => mesh.Lab.Istiod(c).Answered);
        var checks = await RunAsync(mesh.Lab);
        Assert.Equal(3 * 7 + 6 * 4 + 3 + 6, checks.Count);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        Assert.Equal(6, checks.Count(c => c.Check == IstiodCheckNames.RemoteClusterSync));
        Assert.All(mesh.Lab.Clusters, c => Assert.Equal(answered[c.Name] + 1, mesh.Lab.Istiod(c).Answered));

        // Pods of cluster3 cannot reach cluster1's API server: only that direction fails.
        mesh.Lab.Partitions.Add(mesh.Lab.Clusters[2], mesh.Lab.Clusters[0], PartitionTarget.ApiServer);
        try
        {
            checks = await RunAsync(mesh.Lab);
            AssertOnly(checks, MeshCheckStatus.Failed, (IstiodCheckNames.RemoteClusterSync, mesh.Lab.Clusters[2].Context, mesh.Lab.Clusters[0].Context));
        }
        finally
        {
            mesh.Lab.ClearMeshFaults();
        }
    }
}
