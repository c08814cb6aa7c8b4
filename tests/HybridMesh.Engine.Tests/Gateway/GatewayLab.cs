using System.Collections.Concurrent;
using HybridMesh.Engine.Kube;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Gateway;

/// <summary>
/// A lab for gateway tests: each cluster is set up for one scenario by <see cref="Customize"/>, so one lab serves a
/// whole test class (starting a lab per test would cost more than the tests). Load balancers answer after 50 ms.
/// </summary>
public abstract class GatewayLab : IAsyncLifetime
{
    public LabHost Lab { get; private set; } = null!;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hm-gw-tests-" + Guid.NewGuid().ToString("N")[..8]);

    protected abstract int Clusters { get; }

    protected virtual void Customize(int index, ClusterOptions options) { }

    public async Task InitializeAsync() => Lab = await LabHost.StartAsync(new LabOptions
    {
        Clusters = Clusters,
        OutputDirectory = _directory,
        StartFleet = false,
        StartControlServer = false,
        Customize = (i, c) =>
        {
            c.LoadBalancerDelay = TimeSpan.FromMilliseconds(50);
            Customize(i, c);
        },
    });

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }

    public LabCluster this[int index] => Lab.Clusters[index - 1];

    public static MeshTarget Target(LabCluster cluster, string? network = null, string? revision = null) =>
        new(Cluster(cluster)) { Network = network, Revision = revision, MeshId = "proj-480516722219" };

    public static MeshCluster Cluster(LabCluster cluster) =>
        new(cluster.Name, cluster.Context, [cluster.KubeconfigPath], cluster.Server,
            cluster.Platform == LabPlatform.Gke ? ClusterPlatform.Gke : ClusterPlatform.OnPrem);

    public static KubeSessionOptions SessionOptions { get; } = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Short waits for tests: the lab's load balancer answers in 50 ms.</summary>
    public static Engine.Steps.Gateway.GatewayInstallRequest Fast(Engine.Steps.Gateway.GatewayInstallRequest? request = null) =>
        (request ?? new()) with { PollInterval = TimeSpan.FromMilliseconds(25), AddressTimeout = TimeSpan.FromSeconds(10) };
}

