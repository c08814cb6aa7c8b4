using HybridMesh.Engine.Google;
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

    [Fact]
    public async Task A_DNS_only_control_plane_is_flagged_and_private()
    {
        Fleet.AddGkeCluster("gke-proj", "us-central1", "dns", "default", dnsOnly: true);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var cluster = await apis.Clusters.GetClusterAsync("gke-proj", "us-central1", "dns", CancellationToken.None);

        // GKE sends ipEndpointsConfig without "enabled" (proto3 leaves false out) and no privateClusterConfig flag.
        Assert.False(cluster.PrivateEndpoint);
        Assert.True(cluster.IsDnsOnlyControlPlane);
        Assert.True(cluster.IsPrivateCluster);
        Assert.EndsWith(".gke.goog", cluster.DnsEndpoint);
    }

    [Fact]
    public void A_public_endpoint_left_out_as_false_counts_as_off()
    {
        // What GKE sends for a cluster whose public IP endpoint was turned off with the newer endpoint settings:
        // enablePublicEndpoint=false is simply absent, and privateClusterConfig says nothing.
        using var document = System.Text.Json.JsonDocument.Parse("""
            {"name": "edge", "network": "default",
             "controlPlaneEndpointsConfig": {"ipEndpointsConfig": {"enabled": true, "privateEndpoint": "10.0.0.2"}}}
            """);

        var cluster = GkeClusters.Parse(document.RootElement, "gke-proj", "us-central1", "edge");

        Assert.False(cluster.PublicEndpointEnabled);
        Assert.False(cluster.IsDnsOnlyControlPlane);
        Assert.True(cluster.IsPrivateCluster);
    }

    [Fact]
    public void Without_endpoint_settings_only_privateClusterConfig_decides()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"name": "old", "network": "default", "privateClusterConfig": {}}""");

        var cluster = GkeClusters.Parse(document.RootElement, "gke-proj", "us-central1", "old");

        Assert.Null(cluster.PublicEndpointEnabled);
        Assert.False(cluster.IsPrivateCluster);
    }
}
