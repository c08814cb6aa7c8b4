using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>Tokens never reach the user: not in the Mesh, not in any stream, not in errors; manifests only when asked.</summary>
public sealed class MeshSecrecyTests
{
    [Fact]
    public async Task No_token_in_any_output_stream_or_error()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        // Second run with failures: a revoked token, an unreachable cluster and a retried write.
        lab.Clusters[0].RevokeToken(lab.ReaderToken(lab.Clusters[0])!);
        lab.Clusters[2].Faults.Add(new HybridMesh.Lab.Faults.FaultRule { Kind = HybridMesh.Lab.Faults.FaultKind.Reset, Count = int.MaxValue });
        var second = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        var manifests = await MeshCreator.NewMeshAsync(new MeshRequest
        {
            Targets = lab.Request().Targets.Take(2).ToArray(), FleetProjectId = "lab-fleet", ManifestOnly = true,
            Kube = lab.Request().Kube, Google = lab.Request().Google,
        }, sink, default);
        Assert.Empty(manifests.Manifests);

        var text = string.Join("\n", new[] { sink.AllText }
            .Concat(new[] { mesh, second }.SelectMany(m => m.Links).Select(l => string.Join("|", l.Source, l.Target, l.Server, l.Status, l.Detail, l.ToString())))
            .Concat(sink.Errors.Select(e => e.ToString())));
        Assert.NotEmpty(sink.Errors);
        foreach (var cluster in lab.Clusters)
        {
            var token = lab.ReaderToken(cluster);
            Assert.NotNull(token);
            Assert.DoesNotContain(token!, text, StringComparison.Ordinal);
            Assert.DoesNotContain(cluster.AdminToken, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestOnly_renders_remote_secrets_only_with_IncludeCredentials()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var baseRequest = lab.Request();
        MeshRequest Request(bool credentials) => new()
        {
            Targets = baseRequest.Targets, FleetProjectId = baseRequest.FleetProjectId, Kube = baseRequest.Kube,
            Google = baseRequest.Google, ManifestOnly = true, IncludeCredentials = credentials,
        };

        // Before the tokens exist: the reader token Secrets are what would be applied.
        var first = await MeshCreator.NewMeshAsync(Request(false), new RecordingSink(), default);
        Assert.Null(first.Mesh);
        Assert.Equal(2, first.Manifests.Count);
        Assert.All(first.Manifests, m => Assert.Contains("istio-reader-service-account-istio-remote-secret-token", m));
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));

        await MeshCreator.NewMeshAsync(baseRequest, new RecordingSink(), default);
        var without = await MeshCreator.NewMeshAsync(Request(false), new RecordingSink(), default);
        Assert.Empty(without.Manifests);
        var with = await MeshCreator.NewMeshAsync(Request(true), new RecordingSink(), default);
        Assert.Equal(2, with.Manifests.Count);
        Assert.All(with.Manifests, m => Assert.Contains("istio/multiCluster", m));
        Assert.Contains(with.Manifests, m => m.Contains("istio-remote-secret-" + lab.Clusters[0].ClusterId));
    }
}
