using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>
/// Fleet-scale properties at a size a test can afford (docs/design/scale.md; bench/scale.ps1 measures 250): every link
/// Connected, a re-run all Unchanged with zero writes, and checks that prove each source's credentials once, not once
/// per pair.
/// </summary>
public sealed class FleetScaleTests
{
    private const int Size = 12;

    [Fact]
    public async Task Twelve_clusters_all_connected_rerun_writes_nothing_and_checks_prove_each_source_once()
    {
        await using var lab = await MeshLab.StartAsync(Size);
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        Assert.Equal(Size * (Size - 1), mesh.Links.Count());
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkOutcome.Created, l.Outcome));
        Assert.All(lab.Clusters, c => Assert.Equal(Size - 1, lab.RemoteSecrets(c).Count));

        foreach (var c in lab.Clusters)
        {
            c.RequestLog.Clear();
        }

        var again = (await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default)).Mesh!;
        Assert.All(again.Links, l => Assert.Equal((MeshLinkStatus.Connected, MeshLinkOutcome.Unchanged), (l.Status, l.Outcome)));
        Assert.Equal(0, lab.Clusters.Sum(c => c.RequestLog.Writes));

        foreach (var c in lab.Clusters)
        {
            c.RequestLog.Clear();
        }

        var checks = await MeshChecker.RunAsync(lab.Targets(), new MeshCheckOptions
        {
            Kube = lab.Request().Kube,
            Google = GoogleTestKit.Options(lab.Lab.Fleet!),
            ReaderTokenMaxAge = null,
        }, new RecordingSink());
        // No gateways in this lab (New-Mesh does not need them): the link checks are the ones that must pass.
        var linkChecks = checks.Where(c => c.Peer is not null).ToArray();
        Assert.Equal(Size * (Size - 1) * 4, linkChecks.Length);
        Assert.DoesNotContain(linkChecks, c => c.Status == MeshCheckStatus.Failed);
        var credentials = checks.Where(c => c.Check == "RemoteSecretCredentials").ToArray();
        Assert.Equal(Size * (Size - 1), credentials.Length);
        Assert.All(credentials, c => Assert.Equal(MeshCheckStatus.Passed, c.Status));
        // Every target holds the same kubeconfig for a source: one proof (services, then endpoints) per source.
        Assert.All(lab.Clusters, c => Assert.Equal(1, c.RequestLog.Entries.Count(e => e.Path == "/api/v1/services")));
        Assert.All(lab.Clusters, c => Assert.Equal(1, c.RequestLog.Entries.Count(e => e.Path == "/api/v1/endpoints")));
    }
}
