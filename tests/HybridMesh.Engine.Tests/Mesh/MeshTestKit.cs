using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>
/// A lab for one test (New-Mesh changes every cluster), with helpers to build requests and read secrets. Labs are
/// reused: disposing one resets it to the state it started in and returns it to a pool, from which the next test
/// asking for the same shape (cluster count, roots, mesh traffic) takes it, so the Mesh and Links tests pay for a
/// handful of lab starts rather than one each (docs/design/lab-reuse.md). A lab with a per-cluster
/// <c>customize</c> is shared only when the caller names what it does (<c>shape</c>): the same name, the same lab.
/// </summary>
internal sealed class MeshLab : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<(int, bool, bool, string?), ConcurrentBag<LabHost>> Pool = new();
    private static readonly ConcurrentQueue<LabHost> Started = new();

    static MeshLab() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var lab in Started)
        {
            try { Directory.Delete(lab.OutputDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    };

    private readonly (int, bool, bool, string?)? _key;

    private MeshLab(LabHost lab, (int, bool, bool, string?)? key)
    {
        Lab = lab;
        _key = key;
    }

    public LabHost Lab { get; }
    public IReadOnlyList<LabCluster> Clusters => Lab.Clusters;

    /// <summary>
    /// Distinct networks net-1..N unless <paramref name="customize"/> says otherwise; <paramref name="meshTraffic"/>
    /// turns on the mesh traffic model (istiod answers /debug/clusterz through exec). <paramref name="shape"/> names what
    /// <paramref name="customize"/> does, so that tests asking for the same customized lab share one (a reset apart).
    /// </summary>
    public static async Task<MeshLab> StartAsync(int clusters, Action<int, ClusterOptions>? customize = null, bool distinctRoots = false,
        bool meshTraffic = false, string? shape = null)
    {
        (int, bool, bool, string?)? key = customize is null || shape is not null ? (clusters, distinctRoots, meshTraffic, shape) : null;
        if (key is { } k && Pool.TryGetValue(k, out var free) && free.TryTake(out var reused))
        {
            return new MeshLab(reused, key);
        }

        var lab = await LabHost.StartAsync(new LabOptions
        {
            Clusters = clusters,
            OutputDirectory = Path.Combine(Path.GetTempPath(), "hm-mesh-" + Guid.NewGuid().ToString("N")[..8]),
            DistinctRoots = distinctRoots,
            StartControlServer = false,
            SimulateMeshTraffic = meshTraffic,
            Fleet = TestFleetKey.Options(),
            Customize = (i, c) =>
            {
                c.Network = $"net-{i}";
                c.LoadBalancerDelay = TimeSpan.Zero;
                customize?.Invoke(i, c);
            },
        });
        Started.Enqueue(lab);
        if (key is not null) await lab.CheckpointAsync();
        return new MeshLab(lab, key);
    }

    public IReadOnlyList<MeshTarget> Targets(string? network = null) => Clusters.Select(c =>
    {
        var cluster = ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [c.KubeconfigPath], Context = [c.Context] },
            NullMeshSink.Instance).Single();
        return new MeshTarget(cluster) { Network = network };
    }).ToArray();

    /// <summary>A New-Mesh request for every cluster of the lab, with short retry delays (<paramref name="maxAttempts"/> per request).</summary>
    public MeshRequest Request(bool skipRegistration = false, IReadOnlyList<MeshTarget>? targets = null,
        int maxAttempts = 4) => new()
    {
        Targets = targets ?? Targets(),
        FleetProjectId = Lab.Options.FleetProject,
        SkipRegistration = skipRegistration,
        Kube = new KubeSessionOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            MaxAttempts = maxAttempts,
        },
        Google = GoogleTestKit.Options(Lab.Fleet!),
    };

    public IReadOnlyList<JsonObject> RemoteSecrets(LabCluster cluster) =>
        cluster.ListObjects("v1", "Secret", "istio-system")
            .Where(s => s["metadata"]?["labels"]?["istio/multiCluster"]?.GetValue<string>() == "true").ToArray();

    /// <summary>The reader token of a cluster as the token controller issued it (to revoke it, and to look for it in output).</summary>
    public string? ReaderToken(LabCluster cluster) =>
        cluster.GetObject("v1", "Secret", "istio-system", "istio-reader-service-account-istio-remote-secret-token")?["data"]?["token"]
            ?.GetValue<string>() is { } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null;

    /// <summary>Back to the pool after a reset (a lab that cannot be reset is stopped instead).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_key is { } key)
        {
            try
            {
                await Lab.ResetAsync();
                Pool.GetOrAdd(key, _ => []).Add(Lab);
                return;
            }
            catch (TimeoutException)
            {
            }
        }

        await Lab.DisposeAsync();
        try { Directory.Delete(Lab.OutputDirectory, true); } catch (IOException) { }
    }
}

