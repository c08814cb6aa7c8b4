using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Gateway;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Gateway;

/// <summary>Clusters: 1 and 2 fresh (install twice), 3 fresh (-WhatIf), 4 fresh (faults), 5 labelled net-a (mismatch).</summary>
public sealed class InstallLab : GatewayLab
{
    protected override int Clusters => 5;

    protected override void Customize(int index, ClusterOptions options)
    {
        if (index == 5)
        {
            options.Network = "net-a";
        }
    }
}

public sealed class InstallTests(InstallLab lab) : IClassFixture<InstallLab>
{
    private static readonly string[] GatewayKinds =
        ["Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "HorizontalPodAutoscaler"];

    [Fact]
    public async Task Installs_on_two_clusters_and_a_second_run_finds_every_object_unchanged()
    {
        var targets = new[] { GatewayLab.Target(lab[1], "net-1"), GatewayLab.Target(lab[2], "net-2") };
        var sink = new RecordingSink();

        var first = await GatewayInstaller.InstallManyAsync(targets, GatewayLab.Fast(), GatewayLab.SessionOptions, sink, 8);

        Assert.Empty(sink.Errors);
        Assert.Equal(["net-1", "net-2"], first.Select(g => g.Network));
        foreach (var gateway in first)
        {
            Assert.Equal(EastWestGatewayStatus.Ready, gateway.Status);
            Assert.Equal("asm-1282-4", gateway.Revision);
            Assert.StartsWith("100.64.", gateway.Address);
            Assert.Equal(GatewayKinds, gateway.Objects.Select(o => o.Kind));
            Assert.Equal(ObjectOutcome.Configured, gateway.Objects[0].Outcome); // the namespace label
            Assert.All(gateway.Objects.Skip(1), o => Assert.Equal(ObjectOutcome.Created, o.Outcome));
        }

        var ns = lab[1].GetObject("v1", "Namespace", null, "istio-system")!;
        Assert.Equal("net-1", (string?)ns["metadata"]!["labels"]!["topology.istio.io/network"]);
        Assert.Equal("added", (string?)ns["metadata"]!["annotations"]!["hybridmesh.io/network-label"]);
        var service = lab[2].GetObject("v1", "Service", "istio-system", "istio-eastwestgateway")!;
        Assert.Equal("net-2", (string?)service["metadata"]!["labels"]!["topology.istio.io/network"]);
        Assert.Equal("LoadBalancer", (string?)service["spec"]!["type"]);
        var deployment = lab[2].GetObject("apps/v1", "Deployment", "istio-system", "istio-eastwestgateway")!;
        Assert.Equal("asm-1282-4", (string?)deployment["spec"]!["template"]!["metadata"]!["labels"]!["istio.io/rev"]);
        Assert.Contains(deployment["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "hybridmesh");

        lab[1].RequestLog.Clear();
        var second = await GatewayInstaller.InstallManyAsync(targets, GatewayLab.Fast(), GatewayLab.SessionOptions, sink, 8);

        Assert.Empty(sink.Errors);
        Assert.All(second, g =>
        {
            Assert.Equal(GatewayKinds.Skip(1), g.Objects.Select(o => o.Kind));
            Assert.All(g.Objects, o => Assert.Equal(ObjectOutcome.Unchanged, o.Outcome));
            Assert.Equal(EastWestGatewayStatus.Ready, g.Status);
        });
        Assert.Equal(first.Select(g => g.Address), second.Select(g => g.Address));
        Assert.All(lab[1].RequestLog.Entries, e => Assert.Equal("GET", e.Method));
    }

    [Fact]
    public async Task WhatIf_lists_the_real_plan_and_sends_only_reads()
    {
        lab[3].RequestLog.Clear();
        var sink = new RecordingSink(allow: false);

        var result = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[3], "net-3")], GatewayLab.Fast(),
            GatewayLab.SessionOptions, sink, 8);

        Assert.Empty(sink.Errors);
        var gateway = Assert.Single(result);
        Assert.Equal(EastWestGatewayStatus.NotApplied, gateway.Status);
        Assert.All(gateway.Objects, o => Assert.Equal(ObjectOutcome.Skipped, o.Outcome));
        var context = lab[3].Context;
        Assert.Equal(
        [
            $"Label topology.istio.io/network=net-3: Namespace istio-system @ {context}",
            $"Create: ServiceAccount istio-system/istio-eastwestgateway-service-account @ {context}",
            $"Create: Role istio-system/istio-eastwestgateway-sds @ {context}",
            $"Create: RoleBinding istio-system/istio-eastwestgateway-sds @ {context}",
            $"Create: Deployment istio-system/istio-eastwestgateway @ {context}",
            $"Create: Service istio-system/istio-eastwestgateway @ {context}",
            $"Create: HorizontalPodAutoscaler istio-system/istio-eastwestgateway @ {context}",
        ], sink.Proposed);
        Assert.NotEmpty(lab[3].RequestLog.Entries);
        Assert.All(lab[3].RequestLog.Entries, e => Assert.Equal("GET", e.Method));
        Assert.Null(lab[3].GetObject("apps/v1", "Deployment", "istio-system", "istio-eastwestgateway"));
    }

    [Fact]
    public async Task Throttling_and_unavailability_during_apply_are_retried_and_the_run_converges()
    {
        lab[4].Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 429, RetryAfterSeconds = 0, Count = 2, Method = "PATCH" });
        lab[4].Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Count = 2, Method = "PATCH", PathContains = "deployments" });
        try
        {
            var sink = new RecordingSink();
            var result = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[4], "net-4")], GatewayLab.Fast(),
                GatewayLab.SessionOptions, sink, 8);

            Assert.Empty(sink.Errors);
            Assert.Equal(EastWestGatewayStatus.Ready, Assert.Single(result).Status);
            Assert.Contains(lab[4].RequestLog.Entries, e => e.Status == 429);
            Assert.Contains(lab[4].RequestLog.Entries, e => e.Status == 503);

            var again = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[4], "net-4")], GatewayLab.Fast(),
                GatewayLab.SessionOptions, sink, 8);
            Assert.All(Assert.Single(again).Objects, o => Assert.Equal(ObjectOutcome.Unchanged, o.Outcome));
        }
        finally
        {
            lab[4].ClearFaults();
        }
    }

    [Fact]
    public async Task A_different_network_label_is_refused_and_Force_relabels_and_recreates_the_Deployment()
    {
        var sink = new RecordingSink();
        var installed = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[5])], GatewayLab.Fast(),
            GatewayLab.SessionOptions, sink, 8);
        Assert.Equal("net-a", Assert.Single(installed).Network); // the label is used when no network is given
        Assert.DoesNotContain(installed[0].Objects, o => o.Kind == "Namespace");

        var refused = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[5], "net-b")], GatewayLab.Fast(),
            GatewayLab.SessionOptions, sink, 8);
        Assert.Empty(refused);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("NetworkLabelMismatch", error.ErrorId);
        Assert.Contains("-Force", error.RecommendedAction);
        Assert.Equal("net-a", (string?)lab[5].GetObject("v1", "Namespace", null, "istio-system")!["metadata"]!["labels"]!["topology.istio.io/network"]);

        var forcedSink = new RecordingSink();
        var forced = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[5], "net-b")],
            GatewayLab.Fast(new GatewayInstallRequest { Force = true }), GatewayLab.SessionOptions, forcedSink, 8);
        Assert.Empty(forcedSink.Errors);
        Assert.Contains(forcedSink.Proposed, p => p.StartsWith("Delete and recreate", StringComparison.Ordinal) && p.Contains("Deployment istio-system/istio-eastwestgateway"));
        var objects = Assert.Single(forced).Objects;
        Assert.Equal(ObjectOutcome.Created, objects.Single(o => o.Kind == "Deployment").Outcome);
        var deployment = lab[5].GetObject("apps/v1", "Deployment", "istio-system", "istio-eastwestgateway")!;
        Assert.Equal("net-b", (string?)deployment["spec"]!["selector"]!["matchLabels"]!["topology.istio.io/network"]);
        var ns = lab[5].GetObject("v1", "Namespace", null, "istio-system")!;
        Assert.Equal("net-b", (string?)ns["metadata"]!["labels"]!["topology.istio.io/network"]);
        Assert.Null(ns["metadata"]!["annotations"]?["hybridmesh.io/network-label"]); // relabelled, not added by us
    }
}
