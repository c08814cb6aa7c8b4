using HybridMesh.Lab.Fleet;

namespace HybridMesh.Lab.Tests;

/// <summary>A fresh simulated fleet per test (xunit creates one instance per test), spoken to over HTTP.</summary>
public abstract class FleetTestBase : IAsyncLifetime
{
    protected FleetServer Fleet { get; private set; } = null!;

    /// <summary>Long-running operations finish after this delay, so a test can see them pending first.</summary>
    protected virtual FleetOptions FleetOptions => new() { OperationDelay = TimeSpan.FromMilliseconds(150), ServiceAccountKeyPem = TestFleetKey.ServiceAccountKeyPem };

    public async Task InitializeAsync() => Fleet = await FleetServer.StartAsync(FleetOptions);

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}
