using System.Text;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Check.IstiodCheck;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// The lab's istiod keeps each remote's status current in the background, as a real istiod's secret controller does,
/// and answers clusterz from memory (docs/design/scale.md, "The lab at fleet size"): a fleet of 250 clusters has
/// 62,250 statuses, which worked out on the first ask outlasted the module's request timeout.
/// </summary>
public sealed class IstiodBackgroundSyncTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    private const string InformerList = "/api/v1/secrets";

    [Fact]
    public async Task A_changed_remote_secret_is_synced_before_anyone_asks_and_the_ask_sends_nothing_to_the_peer()
    {
        // A new kubeconfig content for C2 in C1 (the same server and token, one more line) under a new token revision of
        // C2, so that no earlier answer can be reused: only the background work can ask C2 now.
        C2.RevokeToken("no-such-token");
        C2.RequestLog.Clear();
        var answered = Lab.Istiod(C1).Answered;
        var name = RemoteSecretRenderer.SecretName(C2.ClusterId);
        var secret = C1.GetObject("v1", "Secret", "istio-system", name)!;
        var kubeconfig = Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]![C2.ClusterId]!));
        secret["data"]![C2.ClusterId] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig + "\n# rotated\n"));
        C1.PutObject(secret);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!C2.RequestLog.Entries.Any(e => e.Method == "GET" && e.Path == InformerList && e.Status == 200))
        {
            Assert.True(DateTime.UtcNow < deadline, "C1's istiod never listed C2's secrets in the background");
            await Task.Delay(50);
        }

        // The background work may hold more than this change (an earlier test's queued refresh, a retried informer):
        // let C2 see no request from it for a second before the ask, so what follows is the ask's own traffic.
        for (var seen = -1; seen != C2.RequestLog.Entries.Count;)
        {
            Assert.True(DateTime.UtcNow < deadline, "C1's istiod kept asking C2 in the background");
            seen = C2.RequestLog.Entries.Count;
            await Task.Delay(1000);
        }

        Assert.Equal(answered, Lab.Istiod(C1).Answered);

        C2.RequestLog.Clear();
        var checks = await RunAsync(Lab);

        Assert.Equal(MeshCheckStatus.Passed, One(checks, IstiodCheckNames.RemoteClusterSync, C1.Context, C2.Context).Status);
        Assert.Equal(answered + 1, Lab.Istiod(C1).Answered);
        Assert.DoesNotContain(C2.RequestLog.Entries, e => e.Path == InformerList && e.Query.Contains("limit=1"));
    }
}
