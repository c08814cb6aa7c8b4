using HybridMesh.Engine.Google;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

public sealed class ProjectDirectoryTests : FleetTestBase
{
    [Fact]
    public async Task Returns_the_project_number_from_the_v3_name()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var project = await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Assert.Equal(918273645012, project.ProjectNumber);
        Assert.Equal("my-fleet-host", project.ProjectId);
        Assert.Equal("ACTIVE", project.State);
        var request = Assert.Single(Fleet.RequestLog);
        Assert.Equal("/v3/projects/my-fleet-host", request.Path);
        Assert.Equal(200, request.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("My-Project")]
    [InlineData("1project")]
    [InlineData("short")]
    [InlineData("ends-with-hyphen-")]
    [InlineData("a-project-id-that-is-far-too-long-to-be-real")]
    [InlineData("../etc/passwd")]
    public async Task Rejects_a_malformed_id_before_any_call(string id)
    {
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(() => apis.Projects.GetProjectAsync(id, CancellationToken.None));

        Assert.Equal("FleetProjectIdInvalid", error.ErrorId);
        Assert.Equal(MeshErrorCategory.InvalidArgument, error.Category);
        Assert.Empty(Fleet.RequestLog);
    }

    [Theory]
    [InlineData("my-project")]
    [InlineData("a12345")]
    [InlineData("example.com:my-project")]
    public void Accepts_well_formed_ids(string id) => Assert.True(GoogleProjectId.IsValid(id));

    [Fact]
    public async Task Unknown_project_is_ProjectNotFound_and_not_retried()
    {
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("no-such-project", CancellationToken.None));

        Assert.Equal("ProjectNotFound", error.ErrorId);
        Assert.Equal(MeshErrorCategory.ObjectNotFound, error.Category);
        Assert.Equal("no-such-project", error.Target);
        Assert.Contains("does not exist or you may not read it", error.Message);
        Assert.Equal(1, Count(FleetApi.ResourceManager));
        AssertNoToken(error.Message + error.RecommendedAction);
    }

    [Fact]
    public async Task Hidden_project_reads_as_not_found_or_hidden_with_Googles_message_and_not_retried()
    {
        Fleet.AddProject("secret-project", 111111111111, denied: true);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("secret-project", CancellationToken.None));

        // Resource Manager answers a hidden project exactly as an unknown one (403), so the module cannot tell.
        Assert.Equal("ProjectNotFound", error.ErrorId);
        Assert.Contains("does not exist or you may not read it", error.Message);
        Assert.Contains("resourcemanager.projects.get", error.Message);
        Assert.Equal(1, Count(FleetApi.ResourceManager));
        AssertNoToken(error.Message);
    }

    [Fact]
    public async Task Wrong_token_is_AuthenticationFailed_without_the_token_in_the_message()
    {
        const string wrong = "bogus-token-4f1c2a";
        Fleet.AddProject("my-fleet-host", 918273645012);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet, token: wrong);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None));

        Assert.Equal("AuthenticationFailed", error.ErrorId);
        Assert.Equal(MeshErrorCategory.AuthenticationError, error.Category);
        Assert.Contains("invalid authentication credentials", error.Message);
        Assert.DoesNotContain(wrong, error.Message + error.RecommendedAction + error);
        Assert.Equal(1, Count(FleetApi.ResourceManager));
        Assert.Equal(401, Fleet.RequestLog.Single().Status);
    }

    [Fact]
    public async Task Empty_access_token_cannot_start()
    {
        var options = GoogleTestKit.Options(Fleet, token: "");

        var error = await Assert.ThrowsAsync<MeshException>(
            () => GoogleApis.ConnectAsync(options, new RecordingSink(), CancellationToken.None));

        Assert.Equal("AccessTokenEmpty", error.ErrorId);
    }
}
