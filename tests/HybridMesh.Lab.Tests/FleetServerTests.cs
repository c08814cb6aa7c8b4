using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HybridMesh.Lab.Fleet;

namespace HybridMesh.Lab.Tests;

/// <summary>The simulated fleet itself, spoken to as a plain HTTP client would (as Pester tests do).</summary>
public sealed class FleetServerTests : FleetTestBase
{
    private HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Fleet.Url };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    [Fact]
    public async Task Listens_on_loopback_only()
    {
        Assert.Equal("127.0.0.1", Fleet.Url.Host);
        Assert.NotEqual(0, Fleet.Url.Port);
        Assert.EndsWith("/", Fleet.Url.AbsoluteUri);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Project_has_the_v3_shape()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        using var client = Client(Fleet.AccessToken);

        using var body = JsonDocument.Parse(await client.GetStringAsync("v3/projects/my-fleet-host"));
        using var byNumber = JsonDocument.Parse(await client.GetStringAsync("v3/projects/918273645012"));

        Assert.Equal("projects/918273645012", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("my-fleet-host", body.RootElement.GetProperty("projectId").GetString());
        Assert.Equal("ACTIVE", body.RootElement.GetProperty("state").GetString());
        Assert.Equal("my-fleet-host", byNumber.RootElement.GetProperty("projectId").GetString());
    }

    [Fact]
    public async Task Missing_or_wrong_token_is_401_in_googles_envelope()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        using var anonymous = Client();
        using var wrong = Client("not-a-token");

        foreach (var client in new[] { anonymous, wrong })
        {
            using var response = await client.GetAsync("v3/projects/my-fleet-host");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = body.RootElement.GetProperty("error");
            Assert.Equal(401, error.GetProperty("code").GetInt32());
            Assert.Equal("UNAUTHENTICATED", error.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }
    }

    [Theory]
    [InlineData("v3/projects/unknown-project", 403, "PERMISSION_DENIED")]
    [InlineData("v3/projects/hidden-project", 403, "PERMISSION_DENIED")]
    [InlineData("v1/projects/p-1/locations/l/clusters/none", 404, "NOT_FOUND")]
    [InlineData("v1/projects/p-1/locations/global/memberships/none", 404, "NOT_FOUND")]
    [InlineData("v1/nothing/here", 404, "NOT_FOUND")]
    public async Task Errors_use_the_envelope_with_the_canonical_status(string path, int code, string status)
    {
        Fleet.AddProject("hidden-project", 77777777, denied: true);
        using var client = Client(Fleet.AccessToken);

        using var response = await client.GetAsync(path);

        Assert.Equal(code, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, body.RootElement.GetProperty("error").GetProperty("status").GetString());
        Assert.Equal(code, body.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_disabled_API_answers_403_SERVICE_DISABLED_with_ErrorInfo_naming_service_and_consumer()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        using var control = Client();
        using var api = Client(Fleet.AccessToken);
        using (var added = await control.PostAsJsonAsync("_lab/faults", new { api = "GkeHub", disableService = true }))
        {
            Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        }

        using var response = await api.GetAsync("v1/projects/my-fleet-host/locations/-/memberships");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        var info = error.GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("PERMISSION_DENIED", error.GetProperty("status").GetString());
        Assert.Equal("SERVICE_DISABLED", info.GetProperty("reason").GetString());
        Assert.Equal("googleapis.com", info.GetProperty("domain").GetString());
        Assert.Equal("gkehub.googleapis.com", info.GetProperty("metadata").GetProperty("service").GetString());
        Assert.Equal("projects/918273645012", info.GetProperty("metadata").GetProperty("consumer").GetString());
        // Resource Manager stays enabled.
        using var project = await api.GetAsync("v3/projects/my-fleet-host");
        Assert.Equal(HttpStatusCode.OK, project.StatusCode);
    }

    [Fact]
    public async Task A_cluster_renders_false_booleans_as_absent()
    {
        Fleet.AddGkeCluster("p-1", "us-central1", "pub", "default");
        using var api = Client(Fleet.AccessToken);

        var text = await api.GetStringAsync("v1/projects/p-1/locations/us-central1/clusters/pub");

        Assert.DoesNotContain("false", text);
        Assert.Contains("\"enablePublicEndpoint\":true", text);
    }

    [Fact]
    public async Task Control_endpoint_injects_faults_and_lists_requests()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        using var control = Client();
        using var api = Client(Fleet.AccessToken);

        using (var added = await control.PostAsJsonAsync("_lab/faults",
                   new { api = "ResourceManager", status = 429, count = 2, retryAfterSeconds = 3 }))
        {
            Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        }

        using var first = await api.GetAsync("v3/projects/my-fleet-host");
        using var second = await api.GetAsync("v3/projects/my-fleet-host");
        using var third = await api.GetAsync("v3/projects/my-fleet-host");

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);

        using var log = JsonDocument.Parse(await control.GetStringAsync("_lab/requests"));
        Assert.Equal([429, 429, 200], log.RootElement.EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));
        Assert.All(log.RootElement.EnumerateArray(), r => Assert.Equal("ResourceManager", r.GetProperty("api").GetString()));

        await control.PostAsJsonAsync("_lab/faults", new { status = 503, count = 5 });
        using (var cleared = await control.DeleteAsync("_lab/faults"))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        using var afterClear = await api.GetAsync("v3/projects/my-fleet-host");
        Assert.Equal(HttpStatusCode.OK, afterClear.StatusCode);
        await control.DeleteAsync("_lab/requests");
        Assert.Empty(Fleet.RequestLog);
    }

    [Fact]
    public async Task Faults_for_one_api_leave_the_others_alone()
    {
        Fleet.AddProject("my-fleet-host", 918273645012);
        Fleet.AddGkeCluster("p-1", "us-east1", "c", "default");
        Fleet.Faults.FailWith503(1, FleetApi.Container);
        using var api = Client(Fleet.AccessToken);

        using var project = await api.GetAsync("v3/projects/my-fleet-host");
        using var cluster = await api.GetAsync("v1/projects/p-1/locations/us-east1/clusters/c");

        Assert.Equal(HttpStatusCode.OK, project.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, cluster.StatusCode);
    }

    [Fact]
    public async Task Token_endpoint_refuses_other_grants_and_unsigned_assertions()
    {
        using var client = Client();

        using var password = await client.PostAsync("token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "x", ["password"] = "y",
        }));
        using var forged = await client.PostAsync("token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ["assertion"] = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
        Assert.Contains("unsupported_grant_type", await password.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("invalid_grant", await forged.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Service_account_file_is_owner_only_and_points_at_the_fleet()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hm-sa-{Guid.NewGuid():N}.json");
        try
        {
            Fleet.WriteServiceAccountCredentialFile(path);

            using var file = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            Assert.Equal("service_account", file.RootElement.GetProperty("type").GetString());
            Assert.Equal(Fleet.TokenUri.AbsoluteUri, file.RootElement.GetProperty("token_uri").GetString());
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", file.RootElement.GetProperty("private_key").GetString());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_fleet_signs_with_the_key_it_was_given_and_a_fleet_without_one_generates_its_own()
    {
        // The test kits' fleets share TestFleetKey; the command-line lab passes none and gets a key of its own.
        await using var own = await FleetServer.StartAsync();
        await using var ownToo = await FleetServer.StartAsync();
        var dir = Directory.CreateTempSubdirectory("hm-sa-").FullName;
        try
        {
            string PrivateKey(FleetServer fleet, string name)
            {
                using var file = JsonDocument.Parse(File.ReadAllText(fleet.WriteServiceAccountCredentialFile(Path.Combine(dir, name))));
                return file.RootElement.GetProperty("private_key").GetString()!;
            }

            string PublicKey(string pem)
            {
                using var rsa = System.Security.Cryptography.RSA.Create();
                rsa.ImportFromPem(pem);
                return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
            }

            Assert.Equal(PublicKey(TestFleetKey.ServiceAccountKeyPem), PublicKey(PrivateKey(Fleet, "given.json")));
            var generated = PublicKey(PrivateKey(own, "own.json"));
            Assert.NotEqual(PublicKey(TestFleetKey.ServiceAccountKeyPem), generated);
            Assert.NotEqual(generated, PublicKey(PrivateKey(ownToo, "own-too.json")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Operations_complete_by_themselves_after_the_delay()
    {
        using var client = Client(Fleet.AccessToken);

        using var created = await client.PostAsJsonAsync(
            "v1/projects/my-fleet-host/locations/global/memberships?membershipId=onprem-1",
            new { externalId = "0d9ed4a2-1d37-4fd5-9d4f-5d8b0f0e3c21" });
        using var operation = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var name = operation.RootElement.GetProperty("name").GetString()!;
        Assert.False(operation.RootElement.GetProperty("done").GetBoolean());

        await Task.Delay(FleetOptions.OperationDelay + TimeSpan.FromMilliseconds(100));
        using var done = JsonDocument.Parse(await client.GetStringAsync("v1/" + name));

        Assert.True(done.RootElement.GetProperty("done").GetBoolean());
        var response = done.RootElement.GetProperty("response");
        Assert.Equal("type.googleapis.com/google.cloud.gkehub.v1.Membership", response.GetProperty("@type").GetString());
        Assert.Equal("READY", response.GetProperty("state").GetProperty("code").GetString());
        Assert.Equal("0d9ed4a2-1d37-4fd5-9d4f-5d8b0f0e3c21", response.GetProperty("externalId").GetString());
    }

    [Fact]
    public async Task Invalid_membership_ids_are_rejected()
    {
        using var client = Client(Fleet.AccessToken);

        using var response = await client.PostAsJsonAsync(
            "v1/projects/my-fleet-host/locations/global/memberships?membershipId=Not_Valid", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("INVALID_ARGUMENT", await response.Content.ReadAsStringAsync());
    }
}
