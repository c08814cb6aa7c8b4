using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Probe;
using HybridMesh.Engine.Tests.Check;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Lab;
using HybridMesh.Lab.Mesh;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Prerequisites.PrerequisiteLab;

namespace HybridMesh.Engine.Tests.Prerequisites;

/// <summary>
/// Reachability from inside the clusters before New-Mesh (issue 17 item 8, docs/design/prerequisites.md): the probe
/// pods of Test-MeshConnectivity call the address each peer would be given, with the peer's cluster CA and no token.
/// </summary>
public sealed class PrerequisiteProbeTests
{
    private static IEnumerable<MeshCheck> Probes(IReadOnlyList<MeshCheck> checks) =>
        checks.Where(c => c.Check is ProbeCheckNames.PodApiServerReach or ProbeCheckNames.PodGatewayReach);

    [Fact]
    public async Task Every_cluster_reaches_every_peers_api_server_and_once_installed_its_gateway_from_inside()
    {
        await using var lab = await StartHealthyAsync(2);
        var (c1, c2) = (lab.Clusters[0], lab.Clusters[1]);
        var execs = lab.Clusters.ToDictionary(c => c.Name, c => lab.Lab.Probe(c).Executed);

        var checks = await RunAsync(lab);

        foreach (var (t, s) in new[] { (c1, c2), (c2, c1) })
        {
            var api = One(checks, ProbeCheckNames.PodApiServerReach, t, s);
            Assert.Equal(MeshCheckStatus.Passed, api.Status);
            Assert.Contains($"in '{t.Context}', {s.Server} answered GET /version 200", api.Detail);
            Assert.Contains($"verified with '{s.Context}''s cluster CA", api.Detail);
            Assert.Equal(["GET /version"], api.Probes.Select(p => p.Step));
            var gw = One(checks, ProbeCheckNames.PodGatewayReach, t, s);
            Assert.Equal(MeshCheckStatus.Skipped, gw.Status);
            Assert.Contains("no east-west gateway address yet (Install-EastWestGateway", gw.Detail);
        }

        // One pod and one exec per cluster, and the pod is gone afterwards.
        Assert.All(lab.Clusters, c => Assert.Equal(1, lab.Lab.Probe(c).Executed - execs[c.Name]));
        Assert.All(lab.Clusters, c => Assert.Empty(ProbeCheck.ProbePods(c)));

        // With the east-west gateways installed, the gateway half is proven too.
        foreach (var c in lab.Clusters)
        {
            foreach (var obj in EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = $"net-{c.Index}", Revision = "asm-1282-4" }))
            {
                c.ApplyObject(obj);
            }
        }

        // Installed means what Install-EastWestGateway waits for: an address, and a gateway pod running behind it
        // (until one runs, a peer's connection to the address is refused, as on a real cluster).
        await Eventually(() => lab.Clusters.All(c =>
            c.GetObject("v1", "Service", "istio-system", "istio-eastwestgateway")?["status"]?["loadBalancer"]?["ingress"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } &&
            c.ListObjects("v1", "Pod", "istio-system").Any(p =>
                (string?)p["metadata"]?["labels"]?["istio"] == "eastwestgateway" && (string?)p["status"]?["phase"] == "Running")));
        checks = await RunAsync(lab);
        Assert.All(Probes(checks), c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        Assert.Equal(4, Probes(checks).Count());
        Assert.True(PrerequisiteChecker.AllPassed(checks));
    }

    [Fact]
    public async Task An_api_server_this_machine_reaches_but_a_clusters_pods_do_not_fails_exactly_that_pair()
    {
        await using var lab = await StartHealthyAsync(3);
        var (from, to) = (lab.Clusters[0], lab.Clusters[1]);
        lab.Lab.Partitions.Add(from, to, PartitionTarget.ApiServer);

        var checks = await RunAsync(lab);

        var failed = checks.Where(c => c.Status == MeshCheckStatus.Failed).Select(c => (c.Check, c.Cluster, c.Peer)).ToArray();
        Assert.Equal([(ProbeCheckNames.PodApiServerReach, from.Context, to.Context)], failed);
        var api = One(checks, ProbeCheckNames.PodApiServerReach, from, to);
        Assert.Equal(MeshProbeError.Timeout, api.Probes[0].Error);
        Assert.Contains(to.Server, api.Detail);
        Assert.Contains($"in '{from.Context}'", api.Detail);
        Assert.Contains("VPN or firewall rule", api.RecommendedAction);
        Assert.Contains($"-ServerOverride @{{ '{to.ClusterId}' = 'https://<address>' }}", api.RecommendedAction);
        // This machine reaches it: the workstation's ApiServer check stays Passed.
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.ApiServer, to).Status);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, ProbeCheckNames.PodApiServerReach, to, from).Status);
        Assert.False(PrerequisiteChecker.AllPassed(checks));
    }

    [Fact]
    public async Task A_server_override_only_pods_reach_passes_and_one_nobody_resolves_fails_naming_it()
    {
        await using var lab = await StartHealthyAsync(2);
        var (c1, c2) = (lab.Clusters[0], lab.Clusters[1]);
        const string podsOnly = "https://cluster2.vpn.example:6443";
        lab.Lab.Partitions.AddPodOnlyAddress(podsOnly, c2);

        var checks = await RunAsync(lab, Options(lab) with { ServerOverride = new Dictionary<string, string> { [c2.Context] = podsOnly } });
        var api = One(checks, ProbeCheckNames.PodApiServerReach, c1, c2);
        Assert.Equal(MeshCheckStatus.Passed, api.Status);
        Assert.Contains($"{podsOnly} answered GET /version 200", api.Detail);
        Assert.Equal(podsOnly, api.Probes[0].Address);

        const string nowhere = "https://cluster2.vpn-down.example:6443";
        checks = await RunAsync(lab, Options(lab) with { ServerOverride = new Dictionary<string, string> { [c2.Context] = nowhere } });
        api = One(checks, ProbeCheckNames.PodApiServerReach, c1, c2);
        Assert.Equal(MeshCheckStatus.Failed, api.Status);
        Assert.Equal(MeshProbeError.Dns, api.Probes[0].Error);
        Assert.Contains($"at {nowhere}", api.Detail);
        Assert.Contains("does not resolve inside", api.Detail);
        Assert.Contains("-ServerOverride", api.RecommendedAction);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_is_the_probes_own_warning_not_unreachable()
    {
        await using var lab = await StartHealthyAsync(2);
        var (c1, c2) = (lab.Clusters[0], lab.Clusters[1]);
        c1.FailImagePull(ProbeOptions.DefaultImage);

        var checks = await RunAsync(lab);

        Assert.DoesNotContain(Probes(checks), c => c.Status == MeshCheckStatus.Failed);
        var api = One(checks, ProbeCheckNames.PodApiServerReach, c1, c2);
        Assert.Equal(MeshCheckStatus.Warning, api.Status);
        Assert.Contains("ErrImagePull", api.Detail);
        Assert.DoesNotContain("cannot be reached", api.Detail);
        Assert.Contains("-ProbeImage", api.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, ProbeCheckNames.PodApiServerReach, c2, c1).Status);
        Assert.Empty(ProbeCheck.ProbePods(c1));
    }

    [Fact]
    public async Task WhatIf_creates_no_pod_and_skips_the_probe_checks_saying_why()
    {
        await using var lab = await StartHealthyAsync(2);
        foreach (var c in lab.Clusters) c.RequestLog.Clear();
        var sink = RecordingSink.Declining();

        var checks = await RunAsync(lab, sink: sink);

        Assert.Equal(4, Probes(checks).Count());
        Assert.All(Probes(checks), c => Assert.Equal(MeshCheckStatus.Skipped, c.Status));
        Assert.All(Probes(checks).Where(c => c.Check == ProbeCheckNames.PodApiServerReach), c => Assert.Contains("-WhatIf", c.Detail));
        Assert.Equal(2, sink.Proposed.Count(p => p.Contains("probe pod", StringComparison.Ordinal)));
        Assert.DoesNotContain(lab.Clusters.SelectMany(c => c.RequestLog.Entries), r => r.Path.Contains("/pods", StringComparison.Ordinal) && r.Method != "GET");
    }

    [Fact]
    public async Task SkipInClusterProbe_leaves_the_probe_checks_out_and_writes_nothing()
    {
        await using var lab = await StartHealthyAsync(2);
        foreach (var c in lab.Clusters) c.RequestLog.Clear();

        var checks = await RunAsync(lab, Options(lab) with { Probes = null });

        Assert.Empty(Probes(checks));
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), r =>
            Assert.True(r.Method == "GET" || r.Path.EndsWith("/selfsubjectaccessreviews", StringComparison.Ordinal), $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task A_user_who_may_not_create_pods_fails_permissions_and_gets_the_probes_own_warning()
    {
        await using var lab = await StartHealthyAsync(2);
        var onPrem = lab.Clusters[1];
        // Everything the runbook needs except creating and deleting pods.
        var targets = TargetsAsLimitedUser(lab, onPrem, p => !(p.Resource == "pods" && p.Subresource is null));
        var checks = await RunAsync(lab, targets: targets);

        var permissions = One(checks, PrerequisiteCheckNames.Permissions, onPrem);
        Assert.Equal(MeshCheckStatus.Failed, permissions.Status);
        Assert.Contains("create/delete pods in istio-system", permissions.Detail);
        var api = One(checks, ProbeCheckNames.PodApiServerReach, onPrem, lab.Clusters[0]);
        Assert.Equal(MeshCheckStatus.Warning, api.Status);
        Assert.Contains("may not create pods in istio-system", api.Detail);
        Assert.Contains("-SkipInClusterProbe", api.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, ProbeCheckNames.PodApiServerReach, lab.Clusters[0], onPrem).Status);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the lab did not converge");
            await Task.Delay(20);
        }
    }
}
