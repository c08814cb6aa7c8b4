using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Integration;

/// <summary>ClusterInspector over lab variants: distinct roots, two revisions, a network label, an unreachable cluster.</summary>
public sealed class InspectorVariantsLabTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hm-inspect-" + Guid.NewGuid().ToString("N")[..8]);
    private LabHost _lab = null!;

    public async Task InitializeAsync() => _lab = await LabHost.StartAsync(new LabOptions
    {
        Clusters = 3,
        OutputDirectory = _dir,
        DistinctRoots = true,
        StartControlServer = false,
        Fleet = TestFleetKey.Options(),
        Customize = (i, c) =>
        {
            if (i == 1) c.Revisions = ["asm-1282-4", "asm-1264-1"];
            if (i == 2) c.Network = "onprem-dc1";
            if (i == 3) c.Revisions = [];
        },
    });

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private MeshCluster Cluster(int index) =>
        ClusterDiscovery.GetClusters(new ClusterQuery
        {
            Kubeconfig = [_lab.Clusters[index].KubeconfigPath],
            Context = [_lab.Clusters[index].Context],
        }, NullMeshSink.Instance).Single();

    [Fact]
    public async Task Inspecting_many_clusters_reports_each_variant_and_one_error_for_a_dead_one()
    {
        var clusters = new[] { Cluster(0), Cluster(1), Cluster(2) };
        await _lab.Clusters[2].DisposeAsync();   // its port now refuses connections
        var sink = new RecordingSink();

        var inspected = await ClusterInspector.InspectManyAsync(clusters,
            new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(2), RetryBaseDelay = TimeSpan.FromMilliseconds(20) }, sink);

        Assert.Equal(2, inspected.Count);
        Assert.Equal(["asm-1264-1", "asm-1282-4"], inspected[0].Details!.IstioRevisions.Order());
        Assert.Equal("onprem-dc1", inspected[1].Details!.NetworkLabel);
        Assert.Null(inspected[0].Details!.NetworkLabel);
        Assert.NotEqual(inspected[0].Details!.RootCertificateFingerprints, inspected[1].Details!.RootCertificateFingerprints);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("ApiServerUnreachable", error.ErrorId);
        Assert.Equal(clusters[2].Context, error.Target);
    }
}

