using System.Diagnostics;
using HybridMesh.Engine.Google;
using HybridMesh.Engine.Steps;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;
using HybridMesh.Engine.Steps.Environment;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>
/// Tests that change process-wide environment variables (credential lookup reads them). They run alone, after the
/// parallel tests, and restore every variable they touch.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CredentialTests : FleetTestBase, IDisposable
{
    private static readonly string[] Touched =
        ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "GCE_METADATA_HOST", "HYBRIDMESH_GOOGLE_API_ENDPOINT"];

    private readonly Dictionary<string, string?> _saved = Touched.ToDictionary(n => n, Environment.GetEnvironmentVariable);
    private readonly string _temp = Directory.CreateTempSubdirectory("hybridmesh-adc-").FullName;

    public CredentialTests()
    {
        // Nothing on this machine may count as credentials: no key file, an empty gcloud config, no metadata server.
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", null);
        Environment.SetEnvironmentVariable("CLOUDSDK_CONFIG", Path.Combine(_temp, "gcloud"));
        Directory.CreateDirectory(Path.Combine(_temp, "gcloud"));
        Environment.SetEnvironmentVariable("GCE_METADATA_HOST", "127.0.0.1:" + LoopbackMetadataHost.ClosedPort());
        Environment.SetEnvironmentVariable("HYBRIDMESH_GOOGLE_API_ENDPOINT", null);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.Delete(_temp, recursive: true);
    }

    private GoogleApiOptions AdcOptions() => new()
    {
        ResourceManagerEndpoint = Fleet.Url,
        ContainerEndpoint = Fleet.Url,
        GkeHubEndpoint = Fleet.Url,
        Retry = GoogleTestKit.FastRetry(),
    };

    [Fact]
    public async Task Without_any_credentials_the_request_cannot_start()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MeshException>(() => EnvironmentResolver.ResolveAsync(
            new EnvironmentRequest { FleetProjectId = "my-fleet-host", Google = AdcOptions() }, new RecordingSink(),
            CancellationToken.None));

        Assert.Equal("CredentialsNotFound", error.ErrorId);
        Assert.Equal(MeshErrorCategory.AuthenticationError, error.Category);
        Assert.Contains("gcloud auth application-default login", error.RecommendedAction);
        Assert.Empty(Fleet.RequestLog);
        // The metadata probe hits a closed loopback port: it must fail fast, not hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_service_account_file_gets_its_token_from_its_token_uri()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        Fleet.AddGkeCluster("gke-proj", "us-central1-a", "prod", "default");
        var file = Fleet.WriteServiceAccountCredentialFile(Path.Combine(_temp, "sa.json"));
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", file);
        var sink = new RecordingSink();

        var environment = await EnvironmentResolver.ResolveAsync(new EnvironmentRequest
        {
            FleetProjectId = "my-fleet-host",
            Clusters = [GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod")],
            Google = AdcOptions(),
        }, sink, CancellationToken.None);

        Assert.Equal("proj-918273645012", environment.MeshId);
        Assert.Equal(["gke-proj-default"], environment.Networks);
        var log = Fleet.RequestLog;
        // One token for both calls, fetched from the fleet (token_uri), then both API calls accepted with it.
        var token = Assert.Single(log, r => r.Api == FleetApi.Token);
        Assert.Equal(200, token.Status);
        Assert.All(log.Where(r => r.Api != FleetApi.Token), r => Assert.Equal(200, r.Status));
        Assert.Equal(3, log.Count);
        AssertNoToken(sink.AllText);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_once_and_the_call_succeeds()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS",
            Fleet.WriteServiceAccountCredentialFile(Path.Combine(_temp, "sa.json")));
        using var apis = await GoogleApis.ConnectAsync(AdcOptions(), new RecordingSink(), CancellationToken.None);
        await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Fleet.ExpireIssuedTokens();
        var project = await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Assert.Equal(918273645012, project.ProjectNumber);
        // token, 200, then 401 with the revoked token, a new token, and 200.
        Assert.Equal([(FleetApi.Token, 200), (FleetApi.ResourceManager, 200), (FleetApi.ResourceManager, 401),
                (FleetApi.Token, 200), (FleetApi.ResourceManager, 200)],
            Fleet.RequestLog.Select(r => (r.Api, r.Status)));
    }

    [Fact]
    public async Task The_gcloud_well_known_file_is_found_through_CLOUDSDK_CONFIG()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        Fleet.WriteServiceAccountCredentialFile(Path.Combine(_temp, "gcloud", "application_default_credentials.json"));

        using var apis = await GoogleApis.ConnectAsync(AdcOptions(), new RecordingSink(), CancellationToken.None);
        var project = await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Assert.Equal(918273645012, project.ProjectNumber);
        Assert.Equal(1, Count(FleetApi.Token));
    }

    [Fact]
    public async Task A_credential_file_the_token_endpoint_rejects_is_AuthenticationFailed()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        // A key the fleet did not issue: the signature check at /token fails.
        await using var other = await FleetServer.StartAsync();
        var json = File.ReadAllText(other.WriteServiceAccountCredentialFile(Path.Combine(_temp, "other.json")))
            .Replace(other.TokenUri.AbsoluteUri, Fleet.TokenUri.AbsoluteUri);
        var file = Path.Combine(_temp, "forged.json");
        File.WriteAllText(file, json);
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", file);
        using var apis = await GoogleApis.ConnectAsync(AdcOptions(), new RecordingSink(), CancellationToken.None);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None));

        Assert.Equal("AuthenticationFailed", error.ErrorId);
        Assert.Contains("invalid_grant", error.Message);
        Assert.Equal(0, Count(FleetApi.ResourceManager));
        Assert.DoesNotContain("PRIVATE KEY", error.Message);
    }

    [Fact]
    public async Task A_broken_credential_file_is_CredentialFileInvalid()
    {
        var file = Path.Combine(_temp, "broken.json");
        File.WriteAllText(file, "{ \"type\": \"service_account\", \"client_email\": ");
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", file);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => GoogleApis.ConnectAsync(AdcOptions(), new RecordingSink(), CancellationToken.None));

        Assert.Equal("CredentialFileInvalid", error.ErrorId);
        Assert.Equal(file, error.Target);
    }

    [Fact]
    public async Task The_shared_endpoint_variable_reaches_the_fleet_from_the_process_environment()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        Environment.SetEnvironmentVariable("HYBRIDMESH_GOOGLE_API_ENDPOINT", Fleet.Url.AbsoluteUri);
        var options = new GoogleApiOptions { AccessToken = GoogleTestKit.Secure(Fleet.AccessToken), Retry = GoogleTestKit.FastRetry() };

        using var apis = await GoogleApis.ConnectAsync(options, new RecordingSink(), CancellationToken.None);
        var project = await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Assert.Equal(918273645012, project.ProjectNumber);
        Assert.Equal(Fleet.Url, apis.ResourceManagerEndpoint);
    }
}
