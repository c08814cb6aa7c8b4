using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

public sealed class GkeClustersTests : FleetTestBase
{
    [Fact]
    public async Task Reads_network_endpoint_fleet_and_self_link()
    {
        Fleet.AddGkeCluster("gke-proj", "us-central1", "prod", "shared-vpc", endpoint: "198.51.100.7",
            fleetProject: "projects/918273645012",
            fleetMembership: "//gkehub.googleapis.com/projects/918273645012/locations/us-central1/memberships/prod");
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var cluster = await apis.Clusters.GetClusterAsync("gke-proj", "us-central1", "prod", CancellationToken.None);

        Assert.Equal("shared-vpc", cluster.Network);
        Assert.Equal("gke-proj-shared-vpc", cluster.MeshNetworkId);
        Assert.Equal("198.51.100.7", cluster.Endpoint);
        Assert.Equal("RUNNING", cluster.Status);
        Assert.False(cluster.IsPrivateCluster);
        Assert.Equal("https://container.googleapis.com/v1/projects/gke-proj/locations/us-central1/clusters/prod",
            cluster.SelfLink);
        Assert.Equal("//container.googleapis.com/projects/gke-proj/locations/us-central1/clusters/prod",
            cluster.ResourceLink);
        Assert.Equal("projects/918273645012", cluster.FleetProject);
        Assert.EndsWith("/memberships/prod", cluster.FleetMembership);
        Assert.Equal("gke-proj.svc.id.goog", cluster.WorkloadPool);
        Assert.Equal("/v1/projects/gke-proj/locations/us-central1/clusters/prod", Fleet.RequestLog.Single().Path);
    }

    [Fact]
    public async Task A_private_endpoint_cluster_is_recognised()
    {
        Fleet.AddGkeCluster("gke-proj", "europe-west1-b", "locked", "default", privateEndpoint: true, privateNodes: true);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var cluster = await apis.Clusters.GetClusterAsync("gke-proj", "europe-west1-b", "locked", CancellationToken.None);

        Assert.True(cluster.PrivateEndpoint);
        Assert.True(cluster.PrivateNodes);
        Assert.False(cluster.PublicEndpointEnabled);
        Assert.True(cluster.IsPrivateCluster);
    }

    [Fact]
    public async Task Unknown_cluster_is_GkeClusterNotFound_naming_the_fix()
    {
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Clusters.GetClusterAsync("gke-proj", "us-central1", "ghost", CancellationToken.None));

        Assert.Equal("GkeClusterNotFound", error.ErrorId);
        Assert.Equal("projects/gke-proj/locations/us-central1/clusters/ghost", error.Target);
        Assert.Contains("-Network", error.RecommendedAction);
        Assert.Equal(1, Count(FleetApi.Container));
    }

    [Fact]
    public async Task Cluster_in_a_hidden_project_is_PermissionDenied()
    {
        Fleet.AddProject("other-team", 5555555, denied: true);
        Fleet.AddGkeCluster("other-team", "us-east1", "theirs", "default");
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Clusters.GetClusterAsync("other-team", "us-east1", "theirs", CancellationToken.None));

        Assert.Equal("PermissionDenied", error.ErrorId);
        Assert.Contains("container.clusters.get", error.Message);
    }
}
