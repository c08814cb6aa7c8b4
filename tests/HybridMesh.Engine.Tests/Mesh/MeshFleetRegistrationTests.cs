using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>New-Mesh's fleet check end to end: GKE and GKE Hub as the authority, as gcloud and asmcli read them.</summary>
public sealed class MeshFleetRegistrationTests
{
    [Fact]
    public async Task A_membership_another_tool_made_with_the_project_number_is_used_not_duplicated()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 1, shape: "cluster 1 unregistered");
        var fleet = lab.Lab.Fleet!;
        var options = lab.Lab.Options;
        var gke = lab.Clusters[0];
        fleet.AddMembership(options.FleetProject, "us-central1", "made-elsewhere",
            gkeResourceLink: $"//container.googleapis.com/projects/{options.GkeProjectNumber}/zones/{options.GkeLocation}/clusters/{gke.Name}");
        fleet.ClearRequestLog();

        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;

        Assert.Empty(sink.Errors);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.DoesNotContain(fleet.RequestLog, r => r.Method == "POST" && r.Api == FleetApi.GkeHub);
    }

    [Fact]
    public async Task A_GKE_cluster_without_Workload_Identity_is_refused_before_registration()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 1, shape: "cluster 1 unregistered");
        var fleet = lab.Lab.Fleet!;
        var options = lab.Lab.Options;
        var gke = lab.Clusters[0];
        fleet.AddGkeCluster(options.GkeProject, options.GkeLocation, gke.Name, options.GkeNetwork,
            endpoint: new Uri(gke.Server).Host, workloadIdentity: false);
        fleet.ClearRequestLog();

        var sink = new RecordingSink();
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(lab.Request(), sink, default));

        Assert.Equal("MeshChecksFailed", error.ErrorId);
        var failure = Assert.Single(sink.Errors);
        Assert.Equal("GkeWorkloadIdentityDisabled", failure.ErrorId);
        Assert.Contains("--workload-pool=", failure.RecommendedAction);
        Assert.DoesNotContain(fleet.RequestLog, r => r.Method == "POST");
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
    }
}
