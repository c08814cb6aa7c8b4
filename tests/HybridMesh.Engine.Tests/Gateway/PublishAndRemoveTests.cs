using HybridMesh.Engine.Steps.Gateway;
using HybridMesh.Lab;
using HybridMesh.Models;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Tests.Gateway;

/// <summary>Clusters 1 and 2: the full install, publish, unpublish, uninstall cycle; cluster 2 holds a foreign PDB.</summary>
public sealed class PublishLab : GatewayLab
{
    protected override int Clusters => 2;
}

public sealed class PublishAndRemoveTests(PublishLab lab) : IClassFixture<PublishLab>
{
    [Fact]
    public async Task Publish_applies_v1_then_unpublish_and_uninstall_remove_exactly_what_the_module_owns()
    {
        var targets = new[] { GatewayLab.Target(lab[1], "net-1"), GatewayLab.Target(lab[2], "net-2") };
        var sink = new RecordingSink();
        // A PodDisruptionBudget of the gateway's name that someone else made: never ours to delete.
        lab[2].PutObject(JsonNode.Parse("""
            {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"istio-eastwestgateway","namespace":"istio-system"},
             "spec":{"minAvailable":1,"selector":{"matchLabels":{"istio":"eastwestgateway"}}}}
            """)!.AsObject());

        var gateways = await GatewayInstaller.InstallManyAsync(targets, GatewayLab.Fast(), GatewayLab.SessionOptions, sink, 8);
        var exposures = await ServiceExposer.PublishManyAsync(
            gateways.Select(g => new MeshTarget(g.Cluster) { Network = g.Network, Revision = g.Revision, MeshId = g.MeshId }).ToArray(),
            new CrossNetworkGatewayOptions(), false, GatewayLab.SessionOptions, sink, 8);

        Assert.Empty(sink.Errors);
        Assert.Equal(2, exposures.Count);
        Assert.All(exposures, e =>
        {
            Assert.Equal("networking.istio.io/v1", e.ApiVersion);
            Assert.Equal(["*.local"], e.Hosts);
            Assert.Equal(ObjectOutcome.Created, e.Outcome);
            Assert.StartsWith("100.64.", e.GatewayAddress);
            Assert.Equal("asm-1282-4", e.Revision);
        });
        Assert.Equal(["net-1", "net-2"], exposures.Select(e => e.Network));
        var again = await ServiceExposer.PublishManyAsync(targets, new CrossNetworkGatewayOptions(), false, GatewayLab.SessionOptions, sink, 8);
        Assert.All(again, e => Assert.Equal(ObjectOutcome.Unchanged, e.Outcome));

        var unpublished = await GatewayRemover.UnpublishManyAsync(targets, "istio-system", GatewayLab.SessionOptions, sink, 8);
        Assert.All(unpublished, o => Assert.Equal(ObjectOutcome.Deleted, o.Outcome));
        Assert.Null(lab[1].GetObject("networking.istio.io/v1", "Gateway", "istio-system", "cross-network-gateway"));

        var removed = await GatewayRemover.UninstallManyAsync(targets, "istio-system", false, GatewayLab.SessionOptions, sink, 8);
        Assert.Empty(sink.Errors);
        var onSecond = removed.Where(o => o.Context == lab[2].Context).ToArray();
        Assert.Equal(ObjectOutcome.Unchanged, onSecond.Single(o => o.Kind == "PodDisruptionBudget").Outcome);
        Assert.Equal(6, onSecond.Count(o => o.Outcome == ObjectOutcome.Deleted));
        Assert.Contains(sink.Warnings, w => w.Contains("PodDisruptionBudget istio-system/istio-eastwestgateway"));
        Assert.NotNull(lab[2].GetObject("policy/v1", "PodDisruptionBudget", "istio-system", "istio-eastwestgateway"));
        foreach (var cluster in new[] { lab[1], lab[2] })
        {
            Assert.Null(cluster.GetObject("apps/v1", "Deployment", "istio-system", "istio-eastwestgateway"));
            Assert.Null(cluster.GetObject("v1", "ServiceAccount", "istio-system", "istio-eastwestgateway-service-account"));
            var ns = cluster.GetObject("v1", "Namespace", null, "istio-system")!;
            Assert.Null(ns["metadata"]!["labels"]?["topology.istio.io/network"]); // we added it, so we remove it
            Assert.NotNull(cluster.GetObject("apps/v1", "Deployment", "istio-system", "istiod-asm-1282-4"));
        }
    }
}
