using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

public sealed class RemoveMeshTests
{
    [Fact]
    public async Task Removing_the_mesh_leaves_no_remote_secret()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var request = lab.Request();
        await MeshCreator.NewMeshAsync(request, new RecordingSink(), default);
        Assert.All(lab.Clusters, c => Assert.Equal(2, lab.RemoteSecrets(c).Count));

        var deleted = await MeshRemover.RemoveAsync(new MeshRemovalRequest { Targets = request.Targets, Kube = request.Kube }, new RecordingSink(), default);
        Assert.Equal(6, deleted);
        Assert.All(lab.Clusters, c => Assert.Empty(lab.RemoteSecrets(c)));
        // The reader token stays unless asked for: other tools may use it.
        Assert.All(lab.Clusters, c => Assert.NotNull(lab.ReaderToken(c)));
    }

    [Fact]
    public async Task One_cluster_leaves_and_the_others_stay_meshed()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var request = lab.Request();
        await MeshCreator.NewMeshAsync(request, new RecordingSink(), default);
        var leaving = lab.Clusters[2];

        var sink = new RecordingSink();
        await MeshRemover.RemoveAsync(new MeshRemovalRequest
        {
            Targets = request.Targets, Kube = request.Kube, Leaving = [leaving.Context], IncludeReaderToken = true,
        }, sink, default);

        Assert.Empty(lab.RemoteSecrets(leaving));
        Assert.Null(lab.ReaderToken(leaving));
        foreach (var stays in lab.Clusters.Take(2))
        {
            var secret = Assert.Single(lab.RemoteSecrets(stays));
            Assert.DoesNotContain(leaving.ClusterId, secret["metadata"]!["name"]!.GetValue<string>());
            Assert.NotNull(lab.ReaderToken(stays));
        }

        Assert.Equal(5, sink.Proposed.Count);
    }

    [Fact]
    public async Task WhatIf_deletes_nothing()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var request = lab.Request();
        await MeshCreator.NewMeshAsync(request, new RecordingSink(), default);
        var sink = RecordingSink.Declining();
        var deleted = await MeshRemover.RemoveAsync(new MeshRemovalRequest { Targets = request.Targets, Kube = request.Kube }, sink, default);
        Assert.Equal(0, deleted);
        Assert.Equal(2, sink.Proposed.Count);
        Assert.All(lab.Clusters, c => Assert.Single(lab.RemoteSecrets(c)));
    }
}
