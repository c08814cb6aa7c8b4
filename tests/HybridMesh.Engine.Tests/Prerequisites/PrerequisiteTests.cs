using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Tests.Integration;
using HybridMesh.Lab;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Prerequisites.PrerequisiteLab;

namespace HybridMesh.Engine.Tests.Prerequisites;

/// <summary>Test-MeshPrerequisite against the lab: a healthy lab passes everything; each broken prerequisite fails with its remedy.</summary>
public sealed class PrerequisiteTests
{
    private static readonly string[] EveryCheck =
    [
        CheckNames.ApiServer, CheckNames.FleetMembership, PrerequisiteCheckNames.GkeNetwork, CheckNames.NetworkLabel,
        PrerequisiteCheckNames.PrivateCluster, PrerequisiteCheckNames.LoadBalancerPolicy, PrerequisiteCheckNames.LoadBalancer,
        PrerequisiteCheckNames.Permissions, CheckNames.IstioRevision, PrerequisiteCheckNames.IstioVersion,
        PrerequisiteCheckNames.TrustDomain, CheckNames.SharedRoot,
    ];

    [Fact]
    public async Task A_healthy_lab_passes_every_prerequisite_and_writes_nothing()
    {
        await using var lab = await StartHealthyAsync();
        var before = lab.Clusters.Select(c => c.ListObjects("v1", "Secret").Count + c.ListObjects("v1", "Namespace").Count).ToArray();
        foreach (var c in lab.Clusters) c.RequestLog.Clear();

        var checks = await RunAsync(lab);

        foreach (var c in lab.Clusters)
        {
            Assert.Equal(EveryCheck, checks.Where(k => k.Cluster == c.Context).Select(k => k.Check));
        }

        // Platform-specific checks are Skipped on the other platform with the reason; everything else Passed.
        var notPassed = checks.Where(c => c.Status != MeshCheckStatus.Passed).ToArray();
        Assert.All(notPassed, c => Assert.Equal(MeshCheckStatus.Skipped, c.Status));
        Assert.Equal(
            lab.Clusters.Where(c => c.Platform == LabPlatform.OnPrem).SelectMany(c => new[]
                { (c.Context, PrerequisiteCheckNames.GkeNetwork), (c.Context, PrerequisiteCheckNames.PrivateCluster), (c.Context, PrerequisiteCheckNames.LoadBalancerPolicy) })
                .Concat(lab.Clusters.Where(c => c.Platform == LabPlatform.Gke).Select(c => (c.Context, PrerequisiteCheckNames.LoadBalancer)))
                .Order(),
            notPassed.Select(c => (c.Cluster, c.Check)).Order());
        Assert.All(checks.Where(c => c.Status == MeshCheckStatus.Passed), c => Assert.Null(c.RecommendedAction));
        Assert.True(PrerequisiteChecker.AllPassed(checks));

        // GKE clusters on one VPC share their network id by design: Passed, not MeshNetworkShared.
        var gke = lab.Clusters.Where(c => c.Platform == LabPlatform.Gke).ToArray();
        Assert.Contains("share a network id by design", One(checks, CheckNames.NetworkLabel, gke[0]).Detail);
        Assert.Contains("projects/lab-gke-project/global/networks/default", One(checks, PrerequisiteCheckNames.GkeNetwork, gke[0]).Detail);
        Assert.Contains("1.28.2", One(checks, PrerequisiteCheckNames.IstioVersion, gke[0]).Detail);
        Assert.Contains("lab-fleet.svc.id.goog", One(checks, PrerequisiteCheckNames.TrustDomain, gke[0]).Detail);

        // Nothing but reads and reviews went to the clusters.
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), r =>
            Assert.True(r.Method == "GET" || (r.Method == "POST" && r.Path.EndsWith("/selfsubjectaccessreviews", StringComparison.Ordinal)),
                $"{r.Method} {r.Path}"));
        Assert.Equal(before, lab.Clusters.Select(c => c.ListObjects("v1", "Secret").Count + c.ListObjects("v1", "Namespace").Count));
        // One review per permission the runbook needs, each asked once per cluster.
        Assert.All(lab.Clusters, c => Assert.Equal(RunbookPermissions.All.Count,
            c.RequestLog.Entries.Count(r => r.Method == "POST" && r.Status == 201)));
    }

    [Fact]
    public async Task Gke_clusters_on_different_VPCs_fail_the_network_and_the_shared_id_and_shared_VPC_passes()
    {
        await using var lab = await StartHealthyAsync();
        var (one, other) = (lab.Clusters[0], lab.Clusters[2]);
        PutGkeCluster(lab, other, network: "other-vpc");

        var checks = await RunAsync(lab);
        var vpc = One(checks, PrerequisiteCheckNames.GkeNetwork, one);
        Assert.Equal(MeshCheckStatus.Failed, vpc.Status);
        Assert.Contains("projects/lab-gke-project/global/networks/other-vpc", vpc.Detail);
        Assert.Contains("Shared VPC host project", vpc.RecommendedAction);
        // Same id, different VPCs: now the shared id is a real conflict (the same rule New-Mesh runs).
        var label = One(checks, CheckNames.NetworkLabel, one);
        Assert.Equal(MeshCheckStatus.Failed, label.Status);
        Assert.Contains(other.Context, label.Detail);
        Assert.False(PrerequisiteChecker.AllPassed(checks));

        // Both as service projects of one Shared VPC host project: one VPC, reported with its host project.
        PutGkeCluster(lab, one, network: "shared-net", networkProject: "lab-host-project");
        PutGkeCluster(lab, other, network: "shared-net", networkProject: "lab-host-project");
        checks = await RunAsync(lab);
        var shared = One(checks, PrerequisiteCheckNames.GkeNetwork, other);
        Assert.Equal(MeshCheckStatus.Passed, shared.Status);
        Assert.Contains("projects/lab-host-project/global/networks/shared-net (Shared VPC, host project 'lab-host-project')", shared.Detail);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.NetworkLabel, other).Status);
    }

    [Fact]
    public async Task A_private_control_plane_fails_unless_ServerOverride_answers_and_private_nodes_are_reported()
    {
        await using var lab = await StartHealthyAsync();
        var gke = lab.Clusters[0];
        PutGkeCluster(lab, gke, privateEndpoint: true);

        var failed = One(await RunAsync(lab), PrerequisiteCheckNames.PrivateCluster, gke);
        Assert.Equal(MeshCheckStatus.Failed, failed.Status);
        Assert.Contains("private endpoint", failed.Detail);
        Assert.Contains("-ServerOverride", failed.RecommendedAction);

        // An address that does not answer is still a failure, and says so.
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var dead = One(await RunAsync(lab, Options(lab) with
        {
            ServerOverride = new Dictionary<string, string> { [gke.Name] = $"https://127.0.0.1:{deadPort}" },
        }), PrerequisiteCheckNames.PrivateCluster, gke);
        Assert.Equal(MeshCheckStatus.Failed, dead.Status);
        Assert.Contains("did not answer from this machine", dead.Detail);

        var overridden = One(await RunAsync(lab, Options(lab) with
        {
            ServerOverride = new Dictionary<string, string> { [gke.Context] = gke.Server },
        }), PrerequisiteCheckNames.PrivateCluster, gke);
        Assert.Equal(MeshCheckStatus.Passed, overridden.Status);
        Assert.Contains("-ServerOverride", overridden.Detail);

        PutGkeCluster(lab, gke, privateNodes: true);
        var nodes = One(await RunAsync(lab), PrerequisiteCheckNames.PrivateCluster, gke);
        Assert.Equal(MeshCheckStatus.Warning, nodes.Status);
        Assert.Contains("nodes are private", nodes.Detail);
    }

    [Fact]
    public async Task An_org_policy_forbidding_external_load_balancers_fails_and_an_unreadable_policy_is_skipped()
    {
        await using var lab = await StartHealthyAsync(2);
        var gke = lab.Clusters[0];
        var fleet = lab.Lab.Fleet!;
        fleet.SetLoadBalancerPolicy(lab.Lab.Options.GkeProject, new JsonObject { ["deniedValues"] = new JsonArray("in:EXTERNAL") });

        var denied = One(await RunAsync(lab), PrerequisiteCheckNames.LoadBalancerPolicy, gke);
        Assert.Equal(MeshCheckStatus.Failed, denied.Status);
        Assert.Contains("EXTERNAL_NETWORK_TCP_UDP", denied.Detail);
        Assert.Contains("constraints/compute.restrictLoadBalancerCreationForTypes", denied.Detail);
        Assert.Contains("-InternalLoadBalancer", denied.RecommendedAction);

        // The same policy allows internal load balancers.
        Assert.Equal(MeshCheckStatus.Passed, One(await RunAsync(lab, Options(lab) with { InternalLoadBalancer = true }),
            PrerequisiteCheckNames.LoadBalancerPolicy, gke).Status);

        // An allow-list that names only internal types forbids external ones too.
        fleet.SetLoadBalancerPolicy(lab.Lab.Options.GkeProject, new JsonObject { ["allowedValues"] = new JsonArray("INTERNAL_TCP_UDP") });
        Assert.Equal(MeshCheckStatus.Failed, One(await RunAsync(lab), PrerequisiteCheckNames.LoadBalancerPolicy, gke).Status);

        fleet.SetLoadBalancerPolicy(lab.Lab.Options.GkeProject, null, readDenied: true);
        var skipped = One(await RunAsync(lab), PrerequisiteCheckNames.LoadBalancerPolicy, gke);
        Assert.Equal(MeshCheckStatus.Skipped, skipped.Status);
        Assert.Contains("may not read organisation policies", skipped.Detail);
        Assert.Contains("orgpolicy.policy.get", skipped.Detail);
    }

    [Fact]
    public async Task An_on_prem_cluster_without_a_load_balancer_implementation_fails_with_the_gateway_remedy()
    {
        await using var lab = await StartHealthyAsync(2, (_, c) => c.LoadBalancerNever = c.Platform == LabPlatform.OnPrem);
        var onPrem = lab.Clusters[1];
        var check = One(await RunAsync(lab), PrerequisiteCheckNames.LoadBalancer, onPrem);
        Assert.Equal(MeshCheckStatus.Failed, check.Status);
        Assert.Contains("default/ingress", check.Detail);
        Assert.Contains("Install-EastWestGateway -LoadBalancerIP", check.RecommendedAction);
        Assert.Contains("Install-EastWestGateway -ExternalIP", check.RecommendedAction);

        // No LoadBalancer Service at all: cannot tell, so a warning with the same remedy.
        onPrem.DeleteObject("v1", "Service", "default", "ingress");
        var unknown = One(await RunAsync(lab), PrerequisiteCheckNames.LoadBalancer, onPrem);
        Assert.Equal(MeshCheckStatus.Warning, unknown.Status);
        Assert.Contains("-LoadBalancerIP", unknown.RecommendedAction);
    }

    [Fact]
    public async Task A_user_without_Secret_and_ClusterRole_rights_fails_permissions_naming_each_missing_one()
    {
        await using var lab = await StartHealthyAsync(2);
        var onPrem = lab.Clusters[1];
        // Everything the runbook needs except secrets and cluster-wide RBAC objects.
        var grants = RunbookPermissions.All
            .Where(p => p.Resource is not ("secrets" or "clusterroles" or "clusterrolebindings"))
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
        var kubeconfig = onPrem.AddUserWithRules("operator", new JsonArray(grants.Select(g => g.DeepClone()).ToArray()));
        var targets = Targets(lab).Select(t => t.Context != onPrem.Context ? t : new MeshTarget(
            ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [kubeconfig], Context = [onPrem.Context] }, NullMeshSink.Instance).Single())
        {
            FleetProjectId = t.FleetProjectId,
        }).ToArray();

        var checks = await RunAsync(lab, targets: targets);
        var permissions = One(checks, PrerequisiteCheckNames.Permissions, onPrem);
        Assert.Equal(MeshCheckStatus.Failed, permissions.Status);
        Assert.Contains("create/patch/update/delete secrets in istio-system", permissions.Detail);
        Assert.Contains("create/patch clusterroles.rbac.authorization.k8s.io (cluster-wide)", permissions.Detail);
        Assert.DoesNotContain("deployments", permissions.Detail);
        Assert.Contains($"kubectl auth can-i create secrets -n istio-system --context {onPrem.Context}", permissions.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, PrerequisiteCheckNames.Permissions, lab.Clusters[0]).Status);
    }

    [Fact]
    public async Task Istio_versions_two_minors_apart_and_a_foreign_trust_domain_are_reported()
    {
        await using var lab = await StartHealthyAsync(2, (i, c) =>
        {
            if (i == 2)
            {
                c.Revisions = ["asm-1262-1"];
                c.TrustDomain = "other-fleet.svc.id.goog";
            }
        });
        var checks = await RunAsync(lab);
        var version = One(checks, PrerequisiteCheckNames.IstioVersion, lab.Clusters[0]);
        Assert.Equal(MeshCheckStatus.Warning, version.Status);
        Assert.Contains("1.28.2-asm.4", version.Detail);
        Assert.Contains($"{lab.Clusters[1].Context} 1.26.2-asm.1", version.Detail);
        Assert.Contains("one minor version", version.RecommendedAction);

        var trust = One(checks, PrerequisiteCheckNames.TrustDomain, lab.Clusters[0]);
        Assert.Equal(MeshCheckStatus.Warning, trust.Status);
        Assert.Contains("'other-fleet.svc.id.goog'", trust.Detail);
        Assert.Contains("trustDomainAliases", trust.RecommendedAction);
    }

    [Fact]
    public async Task The_shared_rules_fail_here_exactly_where_New_Mesh_stops()
    {
        // An unregistered on-prem cluster and two different roots: the same rules New-Mesh's pre-flight runs.
        await using var lab = await StartHealthyAsync(2, (i, c) => c.Registered = i != 2, distinctRoots: true);
        var onPrem = lab.Clusters[1];
        var checks = await RunAsync(lab);

        var fleet = One(checks, CheckNames.FleetMembership, onPrem);
        Assert.Equal(MeshCheckStatus.Failed, fleet.Status);
        Assert.Contains("gcloud container fleet memberships register", fleet.RecommendedAction);
        Assert.All(lab.Clusters, c => Assert.Equal(MeshCheckStatus.Failed, One(checks, CheckNames.SharedRoot, c).Status));

        var snapshots = new List<ClusterSnapshot>();
        foreach (var t in Targets(lab))
        {
            snapshots.Add(await ClusterSnapshot.ReadAsync(t, new KubeSessionOptions(), new RecordingSink(), default));
        }

        var preflight = MeshRules.Preflight(snapshots, allowSharedNetwork: false, removeStale: true, _ => []).ToArray();
        var failedHere = checks.Where(c => c.Status == MeshCheckStatus.Failed && c.Check == CheckNames.SharedRoot)
            .Select(c => (c.Cluster, c.Detail)).Order().ToArray();
        var failedThere = preflight.Where(v => v.Failed && v.Check.Check == CheckNames.SharedRoot)
            .Select(v => (v.Check.Cluster, v.Check.Detail)).Order().ToArray();
        Assert.Equal(failedThere, failedHere);
        Assert.False(PrerequisiteChecker.AllPassed(checks));
    }

    [Fact]
    public async Task New_Mesh_preflight_accepts_GKE_clusters_sharing_their_VPC_network_id()
    {
        // The shared rule: two GKE clusters with asmcli's id <project>-<network> are not MeshNetworkShared, while an
        // on-prem cluster with that id still is.
        await using var lab = await StartHealthyAsync(3, (i, c) => { if (i == 2) c.Network = GkeNetworkId; });
        var targets = Targets(lab);
        var snapshots = new List<ClusterSnapshot>();
        foreach (var t in targets)
        {
            snapshots.Add(await ClusterSnapshot.ReadAsync(t, new KubeSessionOptions(), new RecordingSink(), default));
        }

        var errors = MeshRules.Errors(MeshRules.Preflight(snapshots, allowSharedNetwork: false, removeStale: true, _ => []));
        var shared = Assert.Single(errors);
        Assert.Equal("MeshNetworkShared", shared.ErrorId);
        Assert.Contains(lab.Clusters[1].Context, shared.Message);

        var gkeOnly = snapshots.Where(s => s.IsGke).ToArray();
        Assert.Empty(MeshRules.Errors(MeshRules.Preflight(gkeOnly, allowSharedNetwork: false, removeStale: true, _ => [])));
    }
}
