using HybridMesh.Lab;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>A lab of <see cref="Clusters"/> clusters, shared by a test class; each test re-wires it healthy first.</summary>
public abstract class MeshFixture(int clusters) : IAsyncLifetime
{
    public LabHost Lab { get; private set; } = null!;
    public int Clusters { get; } = clusters;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hm-mesh-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Lab = await LabHost.StartAsync(MeshWiring.Options(Clusters, _directory));
        await MeshWiring.WireAsync(Lab);
    }

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}

public sealed class TwoClusterMesh() : MeshFixture(2);

public sealed class ThreeClusterMesh() : MeshFixture(3);
