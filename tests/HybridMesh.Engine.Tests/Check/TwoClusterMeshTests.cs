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

    public Task DisposeAsync()
    {
        Lab.ClearMeshFaults();
        foreach (var c in Lab.Clusters) c.ClearFaults();
        return Task.CompletedTask;
    }
}
