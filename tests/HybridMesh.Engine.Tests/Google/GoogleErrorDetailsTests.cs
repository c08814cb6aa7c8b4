using System.Diagnostics;
using HybridMesh.Engine.Google;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>Google's error details (ErrorInfo, RetryInfo) decide the error id and the retry, as the real APIs send them.</summary>
public sealed class GoogleErrorDetailsTests : FleetTestBase
{
    [Fact]
    public async Task A_disabled_API_is_GoogleServiceDisabled_naming_the_enable_command_and_not_retried()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        Fleet.Faults.DisableService(FleetApi.ResourceManager);
        var sink = new RecordingSink();
        using var apis = await GoogleTestKit.ConnectAsync(Fleet, sink);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None));

        Assert.Equal("GoogleServiceDisabled", error.ErrorId);
        Assert.Equal(MeshErrorCategory.NotInstalled, error.Category);
        Assert.Equal("projects/my-fleet-host", error.Target);
        Assert.Contains("gcloud services enable cloudresourcemanager.googleapis.com --project 918273645012",
            error.RecommendedAction);
        Assert.DoesNotContain("roles/viewer", error.RecommendedAction);
        Assert.Equal(1, Count(FleetApi.ResourceManager));
        AssertNoToken(error.Message + error.RecommendedAction + sink.AllText);
    }

    [Fact]
    public async Task A_disabled_GKE_Hub_names_gkehub()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        // With RetryInfo, as some APIs send it: still final, enabling an API takes minutes.
        Fleet.Faults.FailWithReason("SERVICE_DISABLED", 1, FleetApi.GkeHub, retryDelay: TimeSpan.FromSeconds(1));
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Fleet.ListMembershipsAsync("my-fleet-host", "-", CancellationToken.None));

        Assert.Equal("GoogleServiceDisabled", error.ErrorId);
        Assert.Contains("gcloud services enable gkehub.googleapis.com --project 918273645012", error.RecommendedAction);
        Assert.Equal(1, Count(FleetApi.GkeHub));
    }

    [Fact]
    public async Task A_token_without_the_scope_is_GoogleTokenScopeInsufficient()
    {
        Fleet.AddGkeCluster("gke-proj", "us-central1", "prod", "default");
        Fleet.Faults.FailWithReason("ACCESS_TOKEN_SCOPE_INSUFFICIENT", 1, FleetApi.Container);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Clusters.GetClusterAsync("gke-proj", "us-central1", "prod", CancellationToken.None));

        Assert.Equal("GoogleTokenScopeInsufficient", error.ErrorId);
        Assert.Contains("cloud-platform", error.RecommendedAction);
        Assert.Equal(1, Count(FleetApi.Container));
    }

    [Fact]
    public async Task A_missing_IAM_permission_names_the_permission()
    {
        Fleet.AddProject("hidden-fleet", 111111111111, denied: true);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Fleet.GetMembershipAsync("hidden-fleet", "global", "prod", CancellationToken.None));

        Assert.Equal("GoogleIamPermissionDenied", error.ErrorId);
        Assert.Equal(MeshErrorCategory.PermissionDenied, error.Category);
        Assert.Contains("gkehub.memberships.get", error.Message);
        Assert.Contains("gkehub.memberships.get", error.RecommendedAction);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Resource_Manager_403_says_the_project_does_not_exist_or_cannot_be_read(bool exists)
    {
        if (exists)
        {
            Fleet.AddProject("some-project", 222222222222, denied: true);
        }

        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("some-project", CancellationToken.None));

        // The real API answers 403 in both cases; so does the lab.
        Assert.Equal(403, Fleet.RequestLog.Single().Status);
        Assert.Equal("ProjectNotFound", error.ErrorId);
        Assert.Contains("does not exist or you may not read it", error.Message);
        Assert.Equal("some-project", error.Target);
    }

    [Fact]
    public async Task RetryInfo_in_the_body_is_honoured()
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.FailWithRetryInfo(503, 1, TimeSpan.FromMilliseconds(700), FleetApi.ResourceManager);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        // The backoff alone would wait ~20 ms; the body's RetryInfo asked for 0.7 s.
        var log = Fleet.RequestLog;
        Assert.Equal([503, 200], log.Select(r => r.Status));
        Assert.True(log[1].Time - log[0].Time >= TimeSpan.FromMilliseconds(650),
            $"retried after {(log[1].Time - log[0].Time).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_409_ABORTED_create_is_retried_and_applied_once()
    {
        Fleet.Faults.FailWithReason("ABORTED", 1, FleetApi.GkeHub);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var operation = await apis.Fleet.CreateMembershipAsync("my-fleet-host", "global", "edge",
            new FleetMembershipSpec { ExternalId = "uid-9" }, CancellationToken.None);

        Assert.Equal([409, 200], Fleet.RequestLog.Select(r => r.Status));
        Assert.StartsWith("projects/my-fleet-host/locations/global/operations/", operation.Name);
    }

    [Fact]
    public async Task A_409_ALREADY_EXISTS_is_final()
    {
        Fleet.AddMembership("my-fleet-host", "global", "edge", externalId: "uid-1");
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(() => apis.Fleet.CreateMembershipAsync(
            "my-fleet-host", "global", "edge", new FleetMembershipSpec { ExternalId = "uid-2" }, CancellationToken.None));

        Assert.Equal("MembershipExists", error.ErrorId);
        Assert.Equal(1, Count(FleetApi.GkeHub));
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("0.250s", 250)]
    [InlineData("30s", 30000)]
    public void Durations_are_read_as_protobuf_JSON(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoogleApiFailure.ParseDuration(text));

    [Theory]
    [InlineData("1")]
    [InlineData("s")]
    [InlineData("-1s")]
    public void Malformed_durations_are_ignored(string text) => Assert.Null(GoogleApiFailure.ParseDuration(text));

    [Fact]
    public void ErrorInfo_and_RetryInfo_are_read_from_the_envelope()
    {
        const string body = """
            {"error": {"code": 403, "message": "API disabled", "status": "PERMISSION_DENIED", "details": [
              {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
               "domain": "googleapis.com", "metadata": {"service": "gkehub.googleapis.com", "consumer": "projects/42"}},
              {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]}}
            """;

        var failure = GoogleApiFailure.Parse(403, "Forbidden", body);

        Assert.Equal("SERVICE_DISABLED", failure.Reason);
        Assert.Equal("googleapis.com", failure.Domain);
        Assert.Equal("gkehub.googleapis.com", failure.Meta("service"));
        Assert.Equal("projects/42", failure.Meta("consumer"));
        Assert.Equal(TimeSpan.FromSeconds(2), failure.RetryDelay);
    }
}
