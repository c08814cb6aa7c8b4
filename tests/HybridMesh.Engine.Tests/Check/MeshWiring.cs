using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// Wires a healthy multi-network mesh straight into the lab's stores, without the module's own install/link
/// cmdlets (so these tests depend only on the renderers): per cluster the east-west gateway, cross-network-gateway
/// and the istio-reader token Secret; per ordered pair a remote secret built with RemoteSecretRenderer from the
/// peer's token. Re-wiring is idempotent, so a test can break one thing and the next test starts healthy again.
/// </summary>
public static class MeshWiring
{
    public const string Revision = "asm-1282-4";

    public static LabOptions Options(int clusters, string directory) => new()
    {
        Clusters = clusters,
        OutputDirectory = directory,
        StartControlServer = false,
        SimulateMeshTraffic = true,
        Fleet = TestFleetKey.Options(),
        Customize = (i, c) =>
        {
            c.Network = $"net-{i}";
            c.LoadBalancerDelay = TimeSpan.FromMilliseconds(20);
            c.DeploymentReadyDelay = TimeSpan.FromMilliseconds(20);
        },
    };

    public static async Task WireAsync(LabHost lab)
    {
        var tokens = new Dictionary<LabCluster, string>();
        foreach (var c in lab.Clusters)
        {
            c.ClearFaults();
            c.SetLoadBalancerDelay(TimeSpan.FromMilliseconds(20));
            var ns = c.GetObject("v1", "Namespace", null, "istio-system")!;
            ns["metadata"]!["labels"]![IstioNames.NetworkLabel] = $"net-{c.Index}";
            c.PutObject(ns);
            foreach (var obj in EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = $"net-{c.Index}", Revision = Revision }))
            {
                c.ApplyObject(obj);
            }

            c.ApplyObject(CrossNetworkGatewayRenderer.Render(new CrossNetworkGatewayOptions(), ["v1"]));
            c.ApplyObject(IstioReaderRenderer.RenderTokenSecret());
        }

        foreach (var c in lab.Clusters)
        {
            tokens[c] = await Eventually(() =>
            {
                var s = c.GetObject("v1", "Secret", "istio-system", IstioReaderRenderer.TokenSecretName);
                return s?["data"]?["token"]?.GetValue<string>() is { Length: > 0 } t ? Encoding.UTF8.GetString(Convert.FromBase64String(t)) : null;
            }, "reader token");
            c.ReinstateToken(tokens[c]);
            await Eventually(() =>
            {
                var svc = c.GetObject("v1", "Service", "istio-system", EastWestGatewayRenderer.GatewayName);
                var dep = c.GetObject("apps/v1", "Deployment", "istio-system", EastWestGatewayRenderer.GatewayName);
                return svc?["status"]?["loadBalancer"]?["ingress"] is JsonArray { Count: > 0 } && (int?)dep?["status"]?["availableReplicas"] > 0 ? "" : null;
            }, "gateway address");
        }

        foreach (var holder in lab.Clusters)
        {
            foreach (var old in holder.ListObjects("v1", "Secret", "istio-system")
                         .Where(s => s["metadata"]?["labels"]?[RemoteSecretRenderer.MultiClusterLabel] is not null))
            {
                holder.DeleteObject("v1", "Secret", "istio-system", old["metadata"]!["name"]!.GetValue<string>());
            }

            foreach (var peer in lab.Clusters.Where(p => p != holder))
            {
                holder.PutObject(RemoteSecret(peer, peer.ClusterId, tokens[peer]));
            }
        }
    }

    public static JsonObject RemoteSecret(LabCluster peer, string key, string token) =>
        RemoteSecretRenderer.Render(new RemoteSecretSource(key, peer.Server, Encoding.UTF8.GetBytes(peer.CaCertificatePem), token));

    public static IReadOnlyList<MeshTarget> Targets(LabHost lab) =>
        lab.Clusters.Select(c => new MeshTarget(new MeshCluster(c.Name, c.Context, [c.KubeconfigPath], c.Server, ClusterPlatform.OnPrem, "token"))
        {
            FleetProjectId = lab.Options.FleetProject,
        }).ToArray();

    public static Task<IReadOnlyList<MeshCheck>> CheckAsync(LabHost lab) =>
        MeshChecker.RunAsync(Targets(lab), new MeshCheckOptions
        {
            Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 },
            Google = GoogleTestKit.Options(lab.Fleet!),
        }, new RecordingSink());

    /// <summary>The traffic test with the workload kept, so that consecutive tests on one lab re-use it.</summary>
    public static Task<IReadOnlyList<MeshTrafficResult>> TrafficAsync(LabHost lab, bool keep = true) =>
        HybridMesh.Engine.Steps.Traffic.TrafficTester.RunAsync(Targets(lab), new HybridMesh.Engine.Steps.Traffic.TrafficOptions
        {
            KeepWorkload = keep,
            ReadyTimeout = TimeSpan.FromSeconds(20),
            Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(10), MaxAttempts = 2 },
        }, new RecordingSink());

    /// <summary>Asserts, per client cluster, exactly which versions answered.</summary>
    public static void AssertReached(IReadOnlyList<MeshTrafficResult> results, params (LabCluster From, string[] Reached)[] expected)
    {
        Assert.Equal(expected.Length, results.Count);
        var all = results.SelectMany(r => r.Reached.Concat(r.Missing)).Distinct().Order().ToArray();
        foreach (var (from, reached) in expected)
        {
            var result = Assert.Single(results, r => r.From == from.Context);
            Assert.Equal(reached, result.Reached);
            Assert.Equal(all.Except(reached).ToArray(), result.Missing);
            Assert.Equal(10, result.Responses.Length);
            Assert.Equal(reached.Length == all.Length, result.Passed);
        }
    }

    private static async Task<T> Eventually<T>(Func<T?> probe, string what) where T : class
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (probe() is { } value) return value;
            await Task.Delay(10);
        }

        throw new TimeoutException($"timed out waiting for {what}");
    }
}
