using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Engine.Tests.Integration;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Prerequisites;

/// <summary>
/// A lab that meets every prerequisite of the seed: GKE clusters (odd indexes) on one VPC sharing the network id
/// asmcli gives them, on-prem clusters on their own networks with a load-balancer implementation that has given a
/// Service an address, one root, one trust domain, READY fleet members, an admin with every permission. Without a
/// <c>customize</c> the lab comes from MeshLab's pool (reset since its last test); what is set up after the start (GKE's
/// answers, the on-prem ingress Service) is set up again on every take, since the reset undoes it.
/// </summary>
internal static class PrerequisiteLab
{
    public const string GkeNetworkId = "lab-gke-project-default";

    public static async Task<MeshLab> StartHealthyAsync(int clusters = 3, Action<int, ClusterOptions>? customize = null,
        bool distinctRoots = false)
    {
        var lab = await MeshLab.StartAsync(clusters, (i, c) =>
        {
            c.Network = c.Platform == LabPlatform.Gke ? GkeNetworkId : $"net-{i}";
            customize?.Invoke(i, c);
        }, distinctRoots, meshTraffic: true, shape: customize is null ? "healthy" : null);
        foreach (var c in lab.Clusters.Where(c => c.Platform == LabPlatform.Gke))
        {
            PutGkeCluster(lab, c);
        }

        foreach (var c in lab.Clusters.Where(c => c.Platform == LabPlatform.OnPrem))
        {
            c.ApplyObject(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = "ingress", ["namespace"] = "default" },
                ["spec"] = new JsonObject
                {
                    ["type"] = "LoadBalancer", ["selector"] = new JsonObject { ["app"] = "ingress" },
                    ["ports"] = new JsonArray(new JsonObject { ["port"] = 443 }),
                },
            });
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (lab.Clusters.Where(c => c.Platform == LabPlatform.OnPrem && !c.Options.LoadBalancerNever)
               .Any(c => c.GetObject("v1", "Service", "default", "ingress")?["status"]?["loadBalancer"]?["ingress"] is not JsonArray { Count: > 0 }))
        {
            Assert.True(DateTime.UtcNow < deadline, "the lab's load balancer gave no address");
            await Task.Delay(20);
        }

        return lab;
    }

    /// <summary>(Re)defines what GKE answers for a GKE-style lab cluster; by default on the project's VPC "default".</summary>
    public static void PutGkeCluster(MeshLab lab, LabCluster c, string network = "default", string? networkProject = null,
        bool privateEndpoint = false, bool privateNodes = false)
    {
        var o = lab.Lab.Options;
        lab.Lab.Fleet!.AddGkeCluster(o.GkeProject, o.GkeLocation, c.Name, network, privateEndpoint: privateEndpoint,
            privateNodes: privateNodes, endpoint: new Uri(c.Server).Host, fleetProject: o.FleetProject,
            fleetMembership: $"//gkehub.googleapis.com/projects/{o.FleetProject}/locations/global/memberships/{c.Name}",
            networkProject: networkProject);
    }

    public static IReadOnlyList<MeshTarget> Targets(MeshLab lab) =>
        lab.Targets().Select(t => new MeshTarget(t.Cluster) { FleetProjectId = lab.Lab.Options.FleetProject }).ToArray();

    /// <summary>
    /// The lab's targets, with <paramref name="cluster"/> reached as a user granted only the runbook permissions
    /// <paramref name="granted"/> accepts (plus get/list/watch on everything).
    /// </summary>
    public static IReadOnlyList<MeshTarget> TargetsAsLimitedUser(MeshLab lab, LabCluster cluster, Func<RunbookPermission, bool> granted)
    {
        var grants = RunbookPermissions.All.Where(granted)
            .GroupBy(p => (p.Group, Resource: p.Subresource is null ? p.Resource : $"{p.Resource}/{p.Subresource}"))
            .Select(g => (JsonNode)new JsonObject
            {
                ["apiGroups"] = new JsonArray(g.Key.Group), ["resources"] = new JsonArray(g.Key.Resource),
                ["verbs"] = new JsonArray(g.Select(p => (JsonNode)p.Verb).ToArray()),
            })
            .Append(new JsonObject
            {
                ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*"), ["verbs"] = new JsonArray("get", "list", "watch"),
            }).ToArray();
        var kubeconfig = cluster.AddUserWithRules("operator", new JsonArray(grants));
        return Targets(lab).Select(t => t.Context != cluster.Context ? t : new MeshTarget(
            ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [kubeconfig], Context = [cluster.Context] }, NullMeshSink.Instance).Single())
        {
            FleetProjectId = t.FleetProjectId,
        }).ToArray();
    }

    public static PrerequisiteOptions Options(MeshLab lab) => new()
    {
        Kube = new KubeSessionOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        },
        Google = GoogleTestKit.Options(lab.Lab.Fleet!),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        // The in-cluster probes are on by default, as in the cmdlet; the lab's kubelet answers them (mesh traffic model).
        Probes = new Engine.Steps.Probe.ProbeOptions { ReadyTimeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(20) },
    };

    public static Task<IReadOnlyList<MeshCheck>> RunAsync(MeshLab lab, PrerequisiteOptions? options = null,
        IReadOnlyList<MeshTarget>? targets = null, IMeshSink? sink = null) =>
        PrerequisiteChecker.RunAsync(targets ?? Targets(lab), options ?? Options(lab), sink ?? new RecordingSink());

    public static MeshCheck One(IReadOnlyList<MeshCheck> checks, string check, LabCluster cluster) =>
        Assert.Single(checks, c => c.Check == check && c.Cluster == cluster.Context);

    /// <summary>The check of an ordered pair: run in <paramref name="cluster"/>'s pods, about <paramref name="peer"/>.</summary>
    public static MeshCheck One(IReadOnlyList<MeshCheck> checks, string check, LabCluster cluster, LabCluster peer) =>
        Assert.Single(checks, c => c.Check == check && c.Cluster == cluster.Context && c.Peer == peer.Context);
}
