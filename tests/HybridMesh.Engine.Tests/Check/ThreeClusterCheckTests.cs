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

        // The traffic test then removes its workload (namespace sample was created by it).
        var traffic = await MeshWiring.TrafficAsync(mesh.Lab, keep: false);
        string[] all = ["v1", "v2", "v3"];
        MeshWiring.AssertReached(traffic, (mesh.Lab.Clusters[0], all), (mesh.Lab.Clusters[1], all), (mesh.Lab.Clusters[2], all));
        Assert.All(traffic, t => Assert.All(t.Responses, r => Assert.Matches(@"^Hello version: v[123], instance: helloworld-v[123]-", r)));
        await Task.Delay(300);
        Assert.All(mesh.Lab.Clusters, c => Assert.Null(c.GetObject("v1", "Namespace", null, "sample")));
    }
}
