using HybridMesh.Engine.Steps.Gateway;
using HybridMesh.Lab;
using HybridMesh.Models;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Tests.Gateway;

/// <summary>Clusters: 1 load balancer never answers, 2 no istiod, 3 two revisions, 4 an older Istio (no Gateway v1).</summary>
public sealed class PreconditionLab : GatewayLab
{
    protected override int Clusters => 4;

    protected override void Customize(int index, ClusterOptions options)
    {
        switch (index)
        {
            case 1: options.LoadBalancerNever = true; break;
            case 2: options.Revisions = []; break;
            case 3: options.Revisions = ["asm-1282-4", "asm-1264-1"]; break;
            case 4: options.ServeGatewayV1 = false; break;
        }
    }
}

public sealed class PreconditionTests(PreconditionLab lab) : IClassFixture<PreconditionLab>
{
    [Fact]
    public async Task A_load_balancer_that_stays_pending_ends_in_the_timeout_error_naming_the_causes()
    {
        var sink = new RecordingSink();
        var request = GatewayLab.Fast() with { AddressTimeout = TimeSpan.FromMilliseconds(400) };

        var result = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[1], "net-1")], request,
            GatewayLab.SessionOptions, sink, 8);

        Assert.Empty(result);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("GatewayAddressTimeout", error.ErrorId);
        Assert.Contains("no load-balancer implementation", error.Message);
        Assert.Contains("-ExternalIP", error.RecommendedAction);
        Assert.Contains("-NoWait", error.RecommendedAction);

        var noWait = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[1], "net-1")],
            request with { NoWait = true }, GatewayLab.SessionOptions, sink, 8);
        Assert.Equal(EastWestGatewayStatus.Pending, Assert.Single(noWait).Status);

        var external = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[1], "net-1")],
            request with { Gateway = new EastWestGatewayOptions { ExternalIPs = ["192.0.2.10"] } }, GatewayLab.SessionOptions, sink, 8);
        Assert.Equal(("192.0.2.10", EastWestGatewayStatus.Ready), (Assert.Single(external).Address, external[0].Status));
        Assert.Equal(ObjectOutcome.Configured, external[0].Objects.Single(o => o.Kind == "Service").Outcome);

        // Dropping the option again is a change too: the module owned spec.externalIPs, so re-applying removes it.
        var dropped = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[1], "net-1")],
            request with { NoWait = true }, GatewayLab.SessionOptions, sink, 8);
        Assert.Equal(ObjectOutcome.Configured, Assert.Single(dropped).Objects.Single(o => o.Kind == "Service").Outcome);
        Assert.Equal(EastWestGatewayStatus.Pending, dropped[0].Status);
        Assert.Null(lab[1].GetObject("v1", "Service", "istio-system", "istio-eastwestgateway")!["spec"]!["externalIPs"]);
        Assert.Single(sink.Errors); // only the timeout of the first run
    }

    [Fact]
    public async Task No_istiod_is_RevisionNotFound_and_two_revisions_name_the_candidates()
    {
        var sink = new RecordingSink();
        var result = await GatewayInstaller.InstallManyAsync(
            [GatewayLab.Target(lab[2], "net-2"), GatewayLab.Target(lab[3], "net-3")], GatewayLab.Fast(),
            GatewayLab.SessionOptions, sink, 8);

        Assert.Empty(result);
        var errors = sink.Errors.OrderBy(e => e.ErrorId).ToArray();
        Assert.Equal(["RevisionAmbiguous", "RevisionNotFound"], errors.Select(e => e.ErrorId));
        Assert.Contains("asm-1264-1, asm-1282-4", errors[0].Message);
        Assert.Equal(lab[3].Context, errors[0].Target);
        Assert.Null(lab[3].GetObject("apps/v1", "Deployment", "istio-system", "istio-eastwestgateway"));

        var chosen = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(lab[3], "net-3", "asm-1264-1")],
            GatewayLab.Fast(), GatewayLab.SessionOptions, sink, 8);
        Assert.Equal("asm-1264-1", Assert.Single(chosen).Revision);
    }

    [Fact]
    public async Task Publish_refuses_without_a_gateway_and_uses_v1beta1_on_an_older_Istio()
    {
        var target = GatewayLab.Target(lab[4], "net-4");
        var sink = new RecordingSink();
        var options = new CrossNetworkGatewayOptions();

        Assert.Empty(await ServiceExposer.PublishManyAsync([target], options, false, GatewayLab.SessionOptions, sink, 8));
        Assert.Equal("EastWestGatewayMissing", Assert.Single(sink.Errors).ErrorId);

        await GatewayInstaller.InstallManyAsync([target], GatewayLab.Fast(), GatewayLab.SessionOptions, sink, 8);
        var exposure = Assert.Single(await ServiceExposer.PublishManyAsync([target],
            options with { Hosts = ["*.svc.cluster.local"] }, false, GatewayLab.SessionOptions, sink, 8));
        Assert.Single(sink.Errors);
        Assert.Equal("networking.istio.io/v1beta1", exposure.ApiVersion);
        Assert.Equal(["*.svc.cluster.local"], exposure.Hosts);
        Assert.Equal(ObjectOutcome.Created, exposure.Outcome);
        var live = lab[4].GetObject("networking.istio.io/v1beta1", "Gateway", "istio-system", "cross-network-gateway")!;
        Assert.Equal("AUTO_PASSTHROUGH", (string?)live["spec"]!["servers"]![0]!["tls"]!["mode"]);
    }
}
