using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>A healthy three-cluster mesh: 7 checks per cluster and 4 per ordered link (6 links), all passed.</summary>
public sealed class ThreeClusterCheckTests(ThreeClusterMesh mesh) : IClassFixture<ThreeClusterMesh>
{
    [Fact]
    public async Task Healthy_three_cluster_mesh_passes_every_check()
    {
        var checks = await MeshWiring.CheckAsync(mesh.Lab);
        Assert.Equal(3 * 7 + 6 * 4, checks.Count);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        Assert.Equal(6, checks.Count(c => c.Check == CheckNames.RemoteSecretCredentials));
        Assert.Equal("45 checks: 45 passed, 0 warning(s), 0 failed, 0 skipped.", MeshChecker.Summary(checks));
    }
}
