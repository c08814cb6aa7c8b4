using HybridMesh.Engine.Steps.Gateway;
using HybridMesh.Lab.Faults;
using HybridMesh.Models;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Tests.Gateway;

/// <summary>Clusters: 1 install (slow writes), 2 install twice, 3 install then publish (slow reads).</summary>
public sealed class RoundTripLab : GatewayLab
{
    protected override int Clusters => 3;
}

/// <summary>
/// Per-cluster steps send independent requests together (docs/design/scale.md): at 100 clusters and 50 ms per request,
/// every sequential round trip per cluster costs the fleet ~0.6 s at the default -ThrottleLimit. The lab logs each
/// request when it is answered, so requests sent together under a long injected latency end within that latency of
/// each other, and requests sent one after another end at least that far apart.
/// </summary>
public sealed class RoundTripTests(RoundTripLab lab) : IClassFixture<RoundTripLab>
{
    private const int SlowMs = 1000;

    [Fact]
    public async Task Gateway_objects_are_written_in_two_waves_identity_first()
    {
        var cluster = lab[1];
        cluster.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = SlowMs, Method = "PATCH" });
        try
        {
            var sink = new RecordingSink();
            var result = await GatewayInstaller.InstallManyAsync([GatewayLab.Target(cluster, "net-1")], GatewayLab.Fast(),
                GatewayLab.SessionOptions, sink, 8);

            Assert.Empty(sink.Errors);
            Assert.Equal(EastWestGatewayStatus.Ready, Assert.Single(result).Status);
            var patches = cluster.RequestLog.Entries.Where(e => e.Method == "PATCH" && !e.Path.EndsWith("/namespaces/istio-system", StringComparison.Ordinal)).ToArray();
            var identity = patches.Where(e => e.Path.Contains("/serviceaccounts/") || e.Path.Contains("/roles/") || e.Path.Contains("/rolebindings/")).ToArray();
            var rest = patches.Except(identity).ToArray();
            Assert.Equal(3, identity.Length);
            Assert.Equal(3, rest.Length); // Deployment, Service, HorizontalPodAutoscaler
            Assert.True(Spread(identity) < TimeSpan.FromMilliseconds(SlowMs), $"identity objects sent one by one: {Spread(identity)}");
            Assert.True(Spread(rest) < TimeSpan.FromMilliseconds(SlowMs), $"workload objects sent one by one: {Spread(rest)}");
            // The service account and its role exist before the Deployment that names them is sent.
            Assert.True(rest.Min(e => e.Time) - identity.Max(e => e.Time) >= TimeSpan.FromMilliseconds(SlowMs * 0.9));
        }
        finally
        {
            cluster.Faults.Clear();
        }
    }

    [Fact]
    public async Task A_rerun_reads_the_gateway_Service_once_and_takes_its_address_from_that_read()
    {
        var cluster = lab[2];
        var target = GatewayLab.Target(cluster, "net-2");
        var first = Assert.Single(await GatewayInstaller.InstallManyAsync([target], GatewayLab.Fast(), GatewayLab.SessionOptions, new RecordingSink(), 8));
        cluster.RequestLog.Clear();

        var sink = new RecordingSink();
        var second = Assert.Single(await GatewayInstaller.InstallManyAsync([target], GatewayLab.Fast(), GatewayLab.SessionOptions, sink, 8));

        Assert.Empty(sink.Errors);
        Assert.Equal(EastWestGatewayStatus.Ready, second.Status);
        Assert.Equal(first.Address, second.Address);
        Assert.Single(cluster.RequestLog.Entries, e => e.Method == "GET" && e.Path.EndsWith("/services/istio-eastwestgateway", StringComparison.Ordinal));
        Assert.All(cluster.RequestLog.Entries, e => Assert.Equal("GET", e.Method));
    }

    [Fact]
    public async Task Publish_sends_its_three_reads_together()
    {
        var cluster = lab[3];
        var target = GatewayLab.Target(cluster, "net-3");
        Assert.Single(await GatewayInstaller.InstallManyAsync([target], GatewayLab.Fast(), GatewayLab.SessionOptions, new RecordingSink(), 8));
        cluster.RequestLog.Clear();
        cluster.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = SlowMs, Method = "GET" });
        try
        {
            var sink = new RecordingSink();
            var exposure = Assert.Single(await ServiceExposer.PublishManyAsync([target], new CrossNetworkGatewayOptions(), false,
                GatewayLab.SessionOptions, sink, 8));

            Assert.Empty(sink.Errors);
            Assert.NotNull(exposure.GatewayAddress);
            var reads = cluster.RequestLog.Entries.Where(e => e.Method == "GET" &&
                (e.Path == "/apis" || e.Path.EndsWith("/deployments", StringComparison.Ordinal) ||
                 e.Path.EndsWith("/services/istio-eastwestgateway", StringComparison.Ordinal))).ToArray();
            Assert.Equal(3, reads.Length);
            // A fresh session resolves the list's and the Service's kinds first (one more slow GET each), so together
            // they end within two latencies; one after another (with the Gateway read and apply between) took four.
            Assert.True(Spread(reads) < TimeSpan.FromMilliseconds(2 * SlowMs), $"reads sent one by one: {Spread(reads)}");
        }
        finally
        {
            cluster.Faults.Clear();
        }
    }

    private static TimeSpan Spread(IReadOnlyCollection<RequestLogEntry> entries) =>
        entries.Max(e => e.Time) - entries.Min(e => e.Time);
}
