using System.Collections.Concurrent;
using HybridMesh.Lab;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// A wired mesh lab of <see cref="Clusters"/> clusters for a test class; each test re-wires it healthy first. Labs are
/// pooled across classes: a class takes one (started, wired and checkpointed by the first class that needed it) and
/// gives it back reset to that checkpoint, so the nine classes on these fixtures share the two or three labs that
/// run at the same time instead of starting nine (docs/design/lab-reuse.md).
/// </summary>
public abstract class MeshFixture(int clusters) : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<int, ConcurrentBag<LabHost>> Pool = new();
    private static readonly ConcurrentQueue<LabHost> Started = new();

    static MeshFixture() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var lab in Started)
        {
            try { Directory.Delete(lab.OutputDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    };

    public LabHost Lab { get; private set; } = null!;
    public int Clusters { get; } = clusters;

    public async Task InitializeAsync()
    {
        if (Pool.GetOrAdd(Clusters, _ => []).TryTake(out var reused))
        {
            Lab = reused;
            return;
        }

        Lab = await LabHost.StartAsync(MeshWiring.Options(Clusters, Path.Combine(Path.GetTempPath(), "hm-mesh-" + Guid.NewGuid().ToString("N")[..8])));
        Started.Enqueue(Lab);
        await MeshWiring.WireAsync(Lab);
        await Lab.CheckpointAsync();
    }

    /// <summary>Back to the pool, reset to the wired mesh (a lab that cannot be reset is stopped instead).</summary>
    public async Task DisposeAsync()
    {
        try
        {
            await Lab.ResetAsync();
            Pool.GetOrAdd(Clusters, _ => []).Add(Lab);
        }
        catch (TimeoutException)
        {
            await Lab.DisposeAsync();
        }
    }
}

public sealed class TwoClusterMesh() : MeshFixture(2);

public sealed class ThreeClusterMesh() : MeshFixture(3);
