using System.Net;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Faults;

namespace HybridMesh.Lab.Tests;

/// <summary>A checkpointed lab goes back to exactly its checkpoint (docs/design/lab-reuse.md).</summary>
public sealed class ResetTests
{
    private const string GatewayCrd = "gateways.networking.istio.io";

    [Fact]
    public async Task Reset_restores_objects_crds_faults_and_the_fleet_and_keeps_resource_versions_moving_forward()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hm-lab-reset-" + Guid.NewGuid().ToString("N")[..8]);
        await using var lab = await LabHost.StartAsync(new LabOptions { Clusters = 2, OutputDirectory = directory, StartControlServer = false, Fleet = TestFleetKey.Options() });
        await lab.CheckpointAsync();
        var cluster = lab.Clusters[0];
        using var kube = Kube.For(cluster);
        var untouched = cluster.GetObject("v1", "Namespace", null, "kube-system")!;
        var istioSystem = cluster.GetObject("v1", "Namespace", null, "istio-system")!;

        // A test's leftovers: a new namespace, a changed and a deleted preset object, a deleted CRD, a fault, a
        // revoked token, a lab-side timing change, a fleet membership.
        await kube.NewNamespace("leftover");
        var labelled = istioSystem.DeepClone().AsObject();
        labelled["metadata"]!["labels"]!["topology.istio.io/network"] = "changed";
        cluster.PutObject(labelled);
        Assert.Equal(200, (await kube.Delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + GatewayCrd)).Code);
        Assert.Equal(404, (await kube.Get("/apis/networking.istio.io/v1/gateways")).Code);
        cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, PathContains = "/api/v1/configmaps" });
        cluster.RevokeToken(cluster.AdminToken);
        cluster.Runtime.TokenControllerDelay = TimeSpan.FromSeconds(30);
        lab.Fleet!.AddMembership(lab.Options.FleetProject, "global", "leftover-membership", externalId: "x");
        var revisionBefore = cluster.Revision;

        await lab.ResetAsync();

        Assert.Null(cluster.ListObjects("v1", "Namespace").FirstOrDefault(n => ((string)n["metadata"]!["name"]!).StartsWith("leftover-")));
        Assert.Equal(untouched["metadata"]!["resourceVersion"]!.GetValue<string>(),
            cluster.GetObject("v1", "Namespace", null, "kube-system")!["metadata"]!["resourceVersion"]!.GetValue<string>());
        var restored = cluster.GetObject("v1", "Namespace", null, "istio-system")!;
        Assert.Equal(istioSystem["metadata"]!["labels"]!.ToJsonString(), restored["metadata"]!["labels"]!.ToJsonString());
        Assert.True(long.Parse(restored["metadata"]!["resourceVersion"]!.GetValue<string>()) > revisionBefore);
        Assert.NotNull(cluster.GetObject("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, GatewayCrd));
        Assert.Equal(200, (await kube.Get("/apis/networking.istio.io/v1/gateways")).Code);
        Assert.Equal(200, (await kube.Get("/api/v1/configmaps")).Code);
        Assert.Equal(TimeSpan.FromMilliseconds(10), cluster.Runtime.TokenControllerDelay);
        Assert.DoesNotContain(cluster.RequestLog.Entries, e => e.Path.Contains("/customresourcedefinitions/", StringComparison.Ordinal));
        using var fleet = new HttpClient();
        fleet.DefaultRequestHeaders.Authorization = new("Bearer", lab.Fleet.AccessToken);
        var list = await fleet.GetStringAsync(new Uri(lab.Fleet.Url, $"v1/projects/{lab.Options.FleetProject}/locations/-/memberships"));
        Assert.DoesNotContain("leftover-membership", list);
        Assert.Contains("cluster1", list);
    }

    [Fact]
    public async Task Reset_restores_probe_pods_image_faults_pod_proxy_pod_only_addresses_org_policies_and_request_counters()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hm-lab-reset-" + Guid.NewGuid().ToString("N")[..8]);
        await using var lab = await LabHost.StartAsync(new LabOptions
        {
            Clusters = 2, OutputDirectory = directory, StartControlServer = false, SimulateMeshTraffic = true, Fleet = TestFleetKey.Options(),
        });
        await lab.CheckpointAsync();
        var cluster = lab.Clusters[0];
        var proxy = cluster.ProxyHandler;
        Assert.NotNull(proxy);
        using var kube = Kube.For(cluster);
        const string Image = "registry.example/unpullable:1";
        var pod = JsonNode.Parse($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"probe","namespace":"default"},
             "spec":{"containers":[{"name":"c","image":"{{{Image}}}"}]}}
            """)!;

        // What the probe, prerequisite and scale work leaves behind: an image the kubelet cannot pull (and a Pod stuck
        // on it), another pods/proxy answer, slower pod starts, a pod-only API server address, an org policy, counters.
        cluster.FailImagePull(Image);
        Assert.Equal(201, (await kube.Post("/api/v1/namespaces/default/pods", pod)).Code);
        cluster.ProxyHandler = null;
        cluster.Runtime.PodStartDelay = TimeSpan.FromSeconds(30);
        lab.Partitions.AddPodOnlyAddress("https://vpn-only.example:6443", lab.Clusters[1]);
        lab.Fleet!.SetLoadBalancerPolicy(lab.Options.FleetProject, JsonNode.Parse("""{"deniedValues":["in:EXTERNAL"]}""")!.AsObject());
        lab.Fleet.SetLoadBalancerPolicy(lab.Options.GkeProject, null, readDenied: true);
        Assert.True(cluster.RequestLog.Writes > 0);

        await lab.ResetAsync();

        Assert.Null(cluster.GetObject("v1", "Pod", "default", "probe"));
        Assert.Same(proxy, cluster.ProxyHandler);
        Assert.Equal(TimeSpan.FromMilliseconds(30), cluster.Runtime.PodStartDelay);
        Assert.Null(lab.Partitions.ResolveFromPod(lab.Clusters, "https://vpn-only.example:6443"));
        Assert.Equal(0, cluster.RequestLog.Total);
        Assert.Equal(0, cluster.RequestLog.Writes);
        // The same Pod again starts Running: the image fault is gone.
        Assert.Equal(201, (await kube.Post("/api/v1/namespaces/default/pods", pod)).Code);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((string?)cluster.GetObject("v1", "Pod", "default", "probe")?["status"]?["phase"] != "Running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal("Running", (string?)cluster.GetObject("v1", "Pod", "default", "probe")?["status"]?["phase"]);
        using var fleet = new HttpClient();
        fleet.DefaultRequestHeaders.Authorization = new("Bearer", lab.Fleet.AccessToken);
        foreach (var project in new[] { lab.Options.FleetProject, lab.Options.GkeProject })
        {
            using var answer = await fleet.PostAsync(new Uri(lab.Fleet.Url, $"v1/projects/{project}:getEffectiveOrgPolicy"),
                new StringContent("""{"constraint":"constraints/compute.restrictLoadBalancerCreationForTypes"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.DoesNotContain("listPolicy", await answer.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Controller_work_scheduled_before_a_reset_does_not_touch_the_restored_state()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hm-lab-reset-" + Guid.NewGuid().ToString("N")[..8]);
        await using var lab = await LabHost.StartAsync(new LabOptions { Clusters = 1, OutputDirectory = directory, StartFleet = false, StartControlServer = false });
        await lab.CheckpointAsync();
        var cluster = lab.Clusters[0];
        using var kube = Kube.For(cluster);
        // The token controller fills this Secret 300 ms after its creation; the reset comes first.
        cluster.Runtime.TokenControllerDelay = TimeSpan.FromMilliseconds(300);
        var secret = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token",
             "metadata":{"name":"late-token","namespace":"default","annotations":{"kubernetes.io/service-account.name":"default"}}}
            """)!;
        Assert.Equal(201, (await kube.Post("/api/v1/namespaces/default/secrets", secret)).Code);

        await lab.ResetAsync();
        var revision = cluster.Revision;
        await Task.Delay(500);

        Assert.Null(cluster.GetObject("v1", "Secret", "default", "late-token"));
        Assert.Equal(revision, cluster.Revision);
        Assert.Equal(HttpStatusCode.OK, (await kube.Get("/api/v1/namespaces/default/secrets")).Status);
    }
}
