using System.Collections.Concurrent;
using System.Security;
using HybridMesh.Engine.Google;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>Shared helpers: options that reach an in-process fleet, and a sink that records what the Engine said.</summary>
internal static class GoogleTestKit
{
    /// <summary>Fast retries so that retry tests take milliseconds, not seconds.</summary>
    public static GoogleRetryOptions FastRetry(int attempts = 4) => new()
    {
        MaxAttempts = attempts,
        BaseDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromSeconds(10),
    };

    public static GoogleApiOptions Options(FleetServer fleet, string? token = null, int attempts = 4) => new()
    {
        AccessToken = Secure(token ?? fleet.AccessToken),
        ResourceManagerEndpoint = fleet.Url,
        ContainerEndpoint = fleet.Url,
        GkeHubEndpoint = fleet.Url,
        Retry = FastRetry(attempts),
        OperationPollInterval = TimeSpan.FromMilliseconds(50),
        // Hermetic: endpoint variables of the machine running the tests must not redirect these calls.
        EnvironmentReader = _ => null,
    };

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    public static Task<GoogleApis> ConnectAsync(FleetServer fleet, RecordingSink? sink = null, string? token = null,
        int attempts = 4) =>
        GoogleApis.ConnectAsync(Options(fleet, token, attempts), sink ?? new RecordingSink(), CancellationToken.None);

    public static MeshCluster Gke(string project, string location, string name) =>
        new(name, $"gke_{project}_{location}_{name}", ["/tmp/kubeconfig"], "https://203.0.113.10", ClusterPlatform.Gke,
            project, location, name, "Exec:gke-gcloud-auth-plugin");

    public static MeshCluster OnPrem(string context) =>
        new(context, context, ["/tmp/kubeconfig"], "https://192.0.2.20:443", ClusterPlatform.OnPrem,
            authentication: "ClientCertificate");
}


/// <summary>A fresh fleet per test: faults and the request log are per server.</summary>
public abstract class FleetTestBase : IAsyncLifetime
{
    protected FleetServer Fleet { get; private set; } = null!;

    protected virtual FleetOptions FleetOptions => new() { OperationDelay = TimeSpan.FromMilliseconds(150), ServiceAccountKeyPem = TestFleetKey.ServiceAccountKeyPem };

    public async Task InitializeAsync() => Fleet = await FleetServer.StartAsync(FleetOptions);

    public async Task DisposeAsync() => await Fleet.DisposeAsync();

    protected int Count(FleetApi api) => Fleet.RequestLog.Count(r => r.Api == api);

    /// <summary>Asserts that no text the user can see carries the fleet's token.</summary>
    protected void AssertNoToken(string text)
    {
        Assert.DoesNotContain(Fleet.AccessToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("ya29.", text, StringComparison.Ordinal);
    }
}
