using System.Text.Json.Nodes;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Lab;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>The pre-flight checks of New-Mesh: each failure has its own id, names the clusters, and nothing is written.</summary>
public sealed class MeshChecksTests
{
    private static async Task<RecordingSink> FailingRun(MeshLab lab, MeshRequest? request = null)
    {
        var sink = new RecordingSink();
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(request ?? lab.Request(), sink, default));
        Assert.Equal("MeshChecksFailed", error.ErrorId);
        AssertNothingWritten(lab);
        return sink;
    }

    private static void AssertNothingWritten(MeshLab lab) =>
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));

    [Fact]
    public async Task Distinct_roots_stop_the_run_and_name_clusters_and_fingerprints()
    {
        await using var lab = await MeshLab.StartAsync(2, distinctRoots: true);
        var sink = await FailingRun(lab);
        var mismatch = Assert.Single(sink.Errors);
        Assert.Equal("MeshRootMismatch", mismatch.ErrorId);
        foreach (var cluster in lab.Clusters)
        {
            Assert.Contains(cluster.Context, mismatch.Message);
        }

        Assert.Matches("[0-9A-F]{64}.*[0-9A-F]{64}", mismatch.Message);
        Assert.Contains("cacerts", mismatch.RecommendedAction);
    }

    [Fact]
    public async Task A_duplicate_Istio_cluster_name_stops_the_run()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var first = lab.Clusters[0].ClusterId;
        var istiod = lab.Clusters[1].ListObjects("apps/v1", "Deployment", "istio-system")
            .First(d => d["metadata"]!["labels"]?["app"]?.GetValue<string>() == "istiod");
        foreach (var container in istiod["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
        {
            foreach (var env in container!["env"]?.AsArray() ?? [])
            {
                if (env!["name"]!.GetValue<string>() == "CLUSTER_ID") env["value"] = first;
            }
        }

        istiod["metadata"]!.AsObject().Remove("resourceVersion");
        lab.Clusters[1].PutObject(istiod);
        foreach (var c in lab.Clusters) c.RequestLog.Clear();

        var sink = await FailingRun(lab);
        var duplicate = Assert.Single(sink.Errors);
        Assert.Equal("MeshClusterNameDuplicate", duplicate.ErrorId);
        Assert.Equal(first, duplicate.Target);
        Assert.Contains(lab.Clusters[1].Context, duplicate.Message);
    }

    [Fact]
    public async Task A_shared_network_stops_the_run_unless_allowed()
    {
        await using var lab = await MeshLab.StartAsync(2, (_, c) => c.Network = "shared");
        var sink = await FailingRun(lab);
        var shared = Assert.Single(sink.Errors);
        Assert.Equal("MeshNetworkShared", shared.ErrorId);
        Assert.Contains("-AllowSharedNetwork", shared.RecommendedAction);

        var request = lab.Request();
        var mesh = (await MeshCreator.NewMeshAsync(new MeshRequest
        {
            Targets = request.Targets, FleetProjectId = request.FleetProjectId, Kube = request.Kube, Google = request.Google,
            AllowSharedNetwork = true,
        }, new RecordingSink(), default)).Mesh!;
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
    }

    [Fact]
    public async Task A_missing_network_label_falls_back_to_the_input_and_warns()
    {
        await using var lab = await MeshLab.StartAsync(2, (_, c) => c.Network = null);
        // The pipeline says both are on one network: that is still a shared network.
        var sink = await FailingRun(lab, lab.Request(targets: lab.Targets(network: "one")));
        Assert.Equal("MeshNetworkShared", Assert.Single(sink.Errors).ErrorId);
        Assert.Equal(2, sink.Warnings.Count(w => w.Contains("no topology.istio.io/network label")));

        var ok = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), ok, default)).Mesh!;
        Assert.Equal(2, mesh.Links.Length);
        Assert.Equal(2, ok.Warnings.Count(w => w.Contains("no topology.istio.io/network label")));
    }

    [Fact]
    public async Task An_unregistered_GKE_cluster_is_registered_through_GKE_Hub()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 1, shape: "cluster 1 unregistered");
        var fleet = lab.Lab.Fleet!;
        fleet.ClearRequestLog();

        var skip = await FailingRun(lab, lab.Request(skipRegistration: true));
        Assert.Equal("MeshGkeNotRegistered", Assert.Single(skip.Errors).ErrorId);

        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        var create = Assert.Single(fleet.RequestLog, r => r.Method == "POST" && r.Api == FleetApi.GkeHub);
        Assert.Contains("projects/lab-fleet/locations/us-central1/memberships", create.Path);
        Assert.Contains(fleet.RequestLog, r => r.Method == "GET" && r.Path.Contains("/operations/"));

        // The fleet now knows it, so a re-run registers nothing.
        fleet.ClearRequestLog();
        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        Assert.DoesNotContain(fleet.RequestLog, r => r.Method == "POST" && r.Api == FleetApi.GkeHub);
    }

    [Fact]
    public async Task An_unregistered_on_prem_cluster_is_an_error_naming_the_command()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 2);
        var sink = await FailingRun(lab);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MeshOnPremNotRegistered", error.ErrorId);
        Assert.Equal(lab.Clusters[1].Context, error.Target);
        Assert.Contains("gcloud container fleet memberships register", error.RecommendedAction);
        Assert.Contains("--context=" + lab.Clusters[1].Context, error.RecommendedAction);
    }

    [Fact]
    public async Task A_cluster_without_Istio_is_named()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.AsmPreset = i != 2);
        var sink = new RecordingSink();
        await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(lab.Request(), sink, default));
        Assert.Contains(sink.Errors, e => e.ErrorId == "MeshIstioNotInstalled" && (string?)e.Target == lab.Clusters[1].Context);
    }

    [Fact]
    public async Task No_fleet_project_is_an_error_unless_the_check_is_skipped()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var request = lab.Request();
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(new MeshRequest
        {
            Targets = request.Targets, Kube = request.Kube, Google = request.Google,
        }, new RecordingSink(), default));
        Assert.Equal("MeshFleetProjectMissing", error.ErrorId);

        lab.Lab.Fleet!.ClearRequestLog();
        var mesh = (await MeshCreator.NewMeshAsync(new MeshRequest
        {
            Targets = request.Targets, Kube = request.Kube, Google = request.Google, SkipFleetCheck = true,
        }, new RecordingSink(), default)).Mesh!;
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.Empty(lab.Lab.Fleet.RequestLog);
    }
}
