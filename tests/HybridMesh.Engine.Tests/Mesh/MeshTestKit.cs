using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>A lab of its own per test (New-Mesh changes every cluster), with helpers to build requests and read secrets.</summary>
internal sealed class MeshLab : IAsyncDisposable
{
    private readonly string _directory;

    private MeshLab(LabHost lab, string directory)
    {
        Lab = lab;
        _directory = directory;
    }

    public LabHost Lab { get; }
    public IReadOnlyList<LabCluster> Clusters => Lab.Clusters;

    /// <summary>
    /// Distinct networks net-1..N unless <paramref name="customize"/> says otherwise; <paramref name="meshTraffic"/>
    /// turns on the mesh traffic model (istiod answers /debug/clusterz through exec).
    /// </summary>
    public static async Task<MeshLab> StartAsync(int clusters, Action<int, ClusterOptions>? customize = null, bool distinctRoots = false,
        bool meshTraffic = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "hm-mesh-" + Guid.NewGuid().ToString("N")[..8]);
        var lab = await LabHost.StartAsync(new LabOptions
        {
            Clusters = clusters,
            OutputDirectory = directory,
            DistinctRoots = distinctRoots,
            StartControlServer = false,
            SimulateMeshTraffic = meshTraffic,
            Customize = (i, c) =>
            {
                c.Network = $"net-{i}";
                c.LoadBalancerDelay = TimeSpan.Zero;
                customize?.Invoke(i, c);
            },
        });
        return new MeshLab(lab, directory);
    }

    public IReadOnlyList<MeshTarget> Targets(string? network = null) => Clusters.Select(c =>
    {
        var cluster = ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [c.KubeconfigPath], Context = [c.Context] },
            NullMeshSink.Instance).Single();
        return new MeshTarget(cluster) { Network = network };
    }).ToArray();

    public MeshRequest Request(bool whatIf = false, bool skipRegistration = false, IReadOnlyList<MeshTarget>? targets = null) => new()
    {
        Targets = targets ?? Targets(),
        FleetProjectId = Lab.Options.FleetProject,
        WhatIf = whatIf,
        SkipRegistration = skipRegistration,
        Kube = new KubeSessionOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
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

    public async ValueTask DisposeAsync()
    {
        await Lab.DisposeAsync();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}

/// <summary>Records what the Engine said; declines every change when <see cref="Decline"/> is set (as -WhatIf does).</summary>
internal sealed class MeshSink : IMeshSink
{
    public bool Decline { get; init; }
    public ConcurrentQueue<string> Messages { get; } = new();
    public ConcurrentQueue<string> Warnings { get; } = new();
    public ConcurrentQueue<MeshException> Errors { get; } = new();
    public ConcurrentQueue<string> Proposed { get; } = new();

    public void Verbose(string message) => Messages.Enqueue("VERBOSE: " + message);
    public void Debug(string message) => Messages.Enqueue("DEBUG: " + message);
    public void Warning(string message)
    {
        Warnings.Enqueue(message);
        Messages.Enqueue("WARNING: " + message);
    }

    public void Information(string message, string[] tags) => Messages.Enqueue("INFO: " + message);
    public void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed) =>
        Messages.Enqueue($"PROGRESS: {activity} {status}");

    public bool ShouldProcess(string target, string action)
    {
        Proposed.Enqueue($"{action}: {target}");
        return !Decline;
    }

    public void Error(MeshException error)
    {
        Errors.Enqueue(error);
        Messages.Enqueue("ERROR: " + error.ErrorId + " " + error.Message + " " + error.RecommendedAction + " " + error.InnerException?.Message);
    }

    public string AllText => string.Join("\n", Messages);
}
