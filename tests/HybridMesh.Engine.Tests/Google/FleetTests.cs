using HybridMesh.Engine.Google;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

public sealed class FleetTests : FleetTestBase
{
    private const string GkeLink = "//container.googleapis.com/projects/gke-proj/locations/us-central1/clusters/prod";

    // Long enough that "still CREATING right after create" holds on a busy machine.
    protected override FleetOptions FleetOptions => new() { OperationDelay = TimeSpan.FromSeconds(1), ServiceAccountKeyPem = TestFleetKey.ServiceAccountKeyPem };

    [Fact]
    public async Task Gets_an_existing_membership()
    {
        Fleet.AddMembership("my-fleet-host", "us-central1", "prod", gkeResourceLink: GkeLink);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var membership = await apis.Fleet.GetMembershipAsync("my-fleet-host", "us-central1", "prod", CancellationToken.None);

        Assert.Equal("projects/my-fleet-host/locations/us-central1/memberships/prod", membership.Name);
        Assert.Equal("prod", membership.Id);
        Assert.Equal("us-central1", membership.Location);
        Assert.True(membership.IsReady);
        Assert.Equal(GkeLink, membership.GkeResourceLink);
    }

    [Fact]
    public async Task Missing_membership_is_MembershipNotFound()
    {
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Fleet.GetMembershipAsync("my-fleet-host", "global", "onprem", CancellationToken.None));

        Assert.Equal("MembershipNotFound", error.ErrorId);
        Assert.Equal(1, Count(FleetApi.GkeHub));
    }

    [Fact]
    public async Task Lists_every_page_across_locations()
    {
        await using var small = await FleetServer.StartAsync(new FleetOptions { DefaultPageSize = 3 });
        for (var i = 0; i < 7; i++)
        {
            small.AddMembership("my-fleet-host", i % 2 == 0 ? "global" : "us-central1", $"member-{i}",
                externalId: Guid.NewGuid().ToString(),
                onPremResourceLink: $"//gkeonprem.googleapis.com/projects/my-fleet-host/locations/us-central1/bareMetalClusters/c{i}");
        }

        small.AddMembership("someone-else", "global", "not-mine");

        var options = GoogleTestKit.Options(small);
        using var apis = await GoogleApis.ConnectAsync(options, new RecordingSink(), CancellationToken.None);

        var all = await apis.Fleet.ListMembershipsAsync("my-fleet-host", "-", CancellationToken.None);
        var global = await apis.Fleet.ListMembershipsAsync("my-fleet-host", "global", CancellationToken.None);

        Assert.Equal(7, all.Count);
        Assert.Equal(7, all.Select(m => m.Id).Distinct().Count());
        Assert.Equal(4, global.Count);
        Assert.All(global, m => Assert.Equal("global", m.Location));
        // 7 items at 3 per page: three pages for "-", two for "global".
        Assert.Equal(5, small.RequestLog.Count);
        Assert.Contains(small.RequestLog, r => r.Path.Contains("pageToken="));
    }

    [Fact]
    public async Task Create_returns_an_operation_that_completes_with_a_ready_membership()
    {
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);
        var spec = new FleetMembershipSpec
        {
            GkeResourceLink = GkeLink,
            Issuer = "https://container.googleapis.com/v1/projects/gke-proj/locations/us-central1/clusters/prod",
        };

        var operation = await apis.Fleet.CreateMembershipAsync("my-fleet-host", "us-central1", "prod", spec,
            CancellationToken.None);
        Assert.False(operation.Done);
        Assert.Equal("projects/my-fleet-host/locations/us-central1/memberships/prod", operation.Target);
        var creating = await apis.Fleet.GetMembershipAsync("my-fleet-host", "us-central1", "prod", CancellationToken.None);
        Assert.Equal("CREATING", creating.State);

        var done = await apis.Fleet.WaitForOperationAsync(operation, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.True(done.Done);
        Assert.NotNull(done.Membership);
        Assert.Equal("READY", done.Membership!.State);
        Assert.Equal(GkeLink, done.Membership.GkeResourceLink);
        Assert.Equal(spec.Issuer, done.Membership.Issuer);
        var ready = await apis.Fleet.GetMembershipAsync("my-fleet-host", "us-central1", "prod", CancellationToken.None);
        Assert.True(ready.IsReady);
        var create = Assert.Single(Fleet.RequestLog, r => r.Method == "POST");
        Assert.Contains("membershipId=prod", create.Path);
        Assert.Contains("requestId=", create.Path);
    }

    [Fact]
    public async Task Creating_an_existing_membership_is_MembershipExists()
    {
        Fleet.AddMembership("my-fleet-host", "global", "onprem", externalId: "uid-1");
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(() => apis.Fleet.CreateMembershipAsync(
            "my-fleet-host", "global", "onprem", new FleetMembershipSpec { ExternalId = "uid-2" }, CancellationToken.None));

        Assert.Equal("MembershipExists", error.ErrorId);
        Assert.Equal(MeshErrorCategory.ResourceExists, error.Category);
    }

    [Fact]
    public async Task A_create_retried_after_a_503_is_applied_once()
    {
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);
        Fleet.Faults.FailWith503(1, FleetApi.GkeHub);

        var operation = await apis.Fleet.CreateMembershipAsync("my-fleet-host", "global", "edge",
            new FleetMembershipSpec { ExternalId = "uid-9" }, CancellationToken.None);

        Assert.Equal([503, 200], Fleet.RequestLog.Select(r => r.Status));
        Assert.StartsWith("projects/my-fleet-host/locations/global/operations/", operation.Name);
    }

    [Fact]
    public async Task Waiting_too_long_is_FleetOperationTimeout()
    {
        await using var slow = await FleetServer.StartAsync(new FleetOptions { OperationDelay = TimeSpan.FromMinutes(5) });
        using var apis = await GoogleApis.ConnectAsync(GoogleTestKit.Options(slow), new RecordingSink(), CancellationToken.None);
        var operation = await apis.Fleet.CreateMembershipAsync("my-fleet-host", "global", "slow",
            new FleetMembershipSpec(), CancellationToken.None);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Fleet.WaitForOperationAsync(operation, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Equal("FleetOperationTimeout", error.ErrorId);
    }

    [Fact]
    public void A_failed_operation_reads_its_error()
    {
        using var document = System.Text.Json.JsonDocument.Parse(
            """{"name":"projects/p/locations/global/operations/op-1","done":true,"error":{"code":9,"message":"cluster is not reachable"}}""");

        var operation = global::HybridMesh.Engine.Google.Fleet.ParseOperation(document.RootElement);

        Assert.True(operation.Done);
        Assert.Equal(9, operation.ErrorCode);
        Assert.Equal("cluster is not reachable", operation.ErrorMessage);
        Assert.Null(operation.Membership);
    }
}
