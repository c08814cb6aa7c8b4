using HybridMesh.Lab.Faults;
using static HybridMesh.Engine.Tests.Prerequisites.PrerequisiteLab;

namespace HybridMesh.Engine.Tests.Prerequisites;

/// <summary>
/// Test-MeshPrerequisite reads each cluster in one round (docs/design/prerequisites.md): what only it needs (access
/// reviews, the istio-system ConfigMaps, every Service) is sent together with the shared snapshot's reads, not after them.
/// </summary>
public sealed class PrerequisiteRoundTests
{
    [Fact]
    public async Task Access_reviews_configmaps_and_services_are_answered_before_a_slow_snapshot_read()
    {
        await using var lab = await StartHealthyAsync(2);
        // An on-premises cluster: for GKE clusters the Service list is not read (the load balancer is Google's).
        var c = Assert.Single(lab.Clusters, c => !c.Context.StartsWith("gke_", StringComparison.Ordinal));
        // The snapshot's list of istiod Deployments answers a second late: sent only after the snapshot, the other reads
        // would all be answered after it.
        c.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = 1000, PathContains = "/deployments?labelSelector=app%3Distiod" });
        c.RequestLog.Clear();
        await RunAsync(lab);
        var log = c.RequestLog.Entries;
        var slow = Assert.Single(log, e => e.Path.EndsWith("/namespaces/istio-system/deployments", StringComparison.Ordinal) && e.Query.Contains("app%3Distiod", StringComparison.Ordinal));
        var others = log.Where(e => (e.Method == "POST" && e.Path.EndsWith("/selfsubjectaccessreviews", StringComparison.Ordinal))
                                    || (e.Method == "GET" && e.Path is "/api/v1/namespaces/istio-system/configmaps" or "/api/v1/services")).ToArray();
        Assert.Contains(others, e => e.Path == "/api/v1/services");
        Assert.Contains(others, e => e.Path.EndsWith("/configmaps", StringComparison.Ordinal));
        Assert.Contains(others, e => e.Method == "POST");
        Assert.All(others, e => Assert.True(e.Time < slow.Time, $"{e.Method} {e.Path} answered at {e.Time:HH:mm:ss.fff}, the slow snapshot read at {slow.Time:HH:mm:ss.fff}"));
    }
}
