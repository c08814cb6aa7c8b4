using HybridMesh.Lab;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// Base of the test classes that share one two-cluster mesh lab (<see cref="TwoClusterMesh"/>): every test starts
/// from a freshly re-wired, fault-free mesh and leaves no fault behind for the next class.
/// </summary>
public abstract class TwoClusterMeshTests(TwoClusterMesh mesh) : IClassFixture<TwoClusterMesh>, IAsyncLifetime
{
    protected LabHost Lab => mesh.Lab;
    protected LabCluster C1 => Lab.Clusters[0];
    protected LabCluster C2 => Lab.Clusters[1];

    public Task InitializeAsync()
    {
        Lab.ClearMeshFaults();
        return MeshWiring.WireAsync(Lab);
    }

    /// <summary>
    /// Waits until no cluster's API server has seen a request for <paramref name="quietMs"/>: re-wiring the remote
    /// secrets sets the simulated istiods listing their peers in the background, and a test that counts requests must
    /// not count theirs.
    /// </summary>
    protected async Task WaitForQuietAsync(int quietMs = 500)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var seen = -1L; seen != Lab.Clusters.Sum(c => c.RequestLog.Total);)
        {
            Assert.True(DateTime.UtcNow < deadline, "the lab kept answering requests in the background");
            seen = Lab.Clusters.Sum(c => c.RequestLog.Total);
            await Task.Delay(quietMs);
        }
    }

    public Task DisposeAsync()
    {
        Lab.ClearMeshFaults();
        foreach (var c in Lab.Clusters) c.ClearFaults();
        return Task.CompletedTask;
    }
}
