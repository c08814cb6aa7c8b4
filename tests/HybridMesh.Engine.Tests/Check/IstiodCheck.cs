using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>Test-MeshConnectivity's checks with istiod's view turned on, and assertions on which of them failed.</summary>
public static class IstiodCheck
{
    public static Task<IReadOnlyList<MeshCheck>> RunAsync(LabHost lab) =>
        MeshChecker.RunAsync(MeshWiring.Targets(lab), new MeshCheckOptions
        {
            Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 },
            Google = GoogleTestKit.Options(lab.Fleet!),
            IstiodView = true,
        }, new RecordingSink());

    public static void AssertOnly(IReadOnlyList<MeshCheck> checks, MeshCheckStatus status, params (string Check, string Cluster, string? Peer)[] expected)
    {
        var found = checks.Where(c => c.Status == status).Select(c => (c.Check, c.Cluster, c.Peer)).ToArray();
        Assert.Equal(expected.OrderBy(e => e.ToString()), found.OrderBy(e => e.ToString()));
        Assert.All(checks.Where(c => c.Status is MeshCheckStatus.Failed or MeshCheckStatus.Warning),
            c => Assert.False(string.IsNullOrEmpty(c.RecommendedAction)));
    }

    /// <summary>The istio-reader token of a cluster, as MeshWiring put it into the remote secrets.</summary>
    public static string ReaderToken(LabCluster c) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(
        c.GetObject("v1", "Secret", "istio-system", HybridMesh.Engine.Manifests.IstioReaderRenderer.TokenSecretName)!["data"]!["token"]!.GetValue<string>()));

    public static MeshCheck One(IReadOnlyList<MeshCheck> checks, string check, string cluster, string? peer = null) =>
        Assert.Single(checks, c => c.Check == check && c.Cluster == cluster && c.Peer == peer);
}
