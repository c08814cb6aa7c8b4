using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// Each way to break a two-cluster mesh, against the lab: exactly the check that names the break fails (with a
/// recommended action naming the fix), and every other check still passes.
/// </summary>
public sealed class MeshCheckTests(TwoClusterMesh mesh) : TwoClusterMeshTests(mesh)
{
    private static void AssertOnlyFailures(IReadOnlyList<MeshCheck> checks, params (string Check, string Cluster, string? Peer)[] expected)
    {
        var failed = checks.Where(c => c.Status == MeshCheckStatus.Failed).Select(c => (c.Check, c.Cluster, c.Peer)).ToArray();
        Assert.Equal(expected.OrderBy(e => e.ToString()), failed.OrderBy(e => e.ToString()));
        Assert.All(checks.Where(c => c.Status == MeshCheckStatus.Failed), c => Assert.False(string.IsNullOrEmpty(c.RecommendedAction)));
    }

    private static MeshCheck One(IReadOnlyList<MeshCheck> checks, string check, string cluster, string? peer = null) =>
        Assert.Single(checks, c => c.Check == check && c.Cluster == cluster && c.Peer == peer);

    [Fact]
    public async Task Healthy_mesh_passes_every_check()
    {
        var checks = await MeshWiring.CheckAsync(Lab);
        Assert.Equal(2 * 7 + 2 * 4, checks.Count);
        Assert.All(checks, c => Assert.True(c.Status == MeshCheckStatus.Passed, $"{c}: {c.Detail}"));
        Assert.All(checks, c => Assert.Null(c.RecommendedAction));
        Assert.Contains("checked from this machine", One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context).Detail);
        Assert.True(MeshChecker.AllPassed(checks));

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1", "v2"]), (C2, ["v1", "v2"]));
        // docs/design/verification.md: the namespace is labelled for the cluster's istiod revision, so sidecars are injected.
        Assert.Equal(MeshWiring.Revision, (string?)C1.GetObject("v1", "Namespace", null, "sample")!["metadata"]!["labels"]!["istio.io/rev"]);
        Assert.NotNull(C2.GetObject("apps/v1", "Deployment", "sample", "helloworld-v2"));
        Assert.Null(C1.GetObject("apps/v1", "Deployment", "sample", "helloworld-v2"));
    }

    [Fact]
    public async Task Missing_remote_secret_fails_that_link_only()
    {
        C1.DeleteObject("v1", "Secret", "istio-system", RemoteSecretRenderer.SecretName(C2.ClusterId));
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.RemoteSecret, C1.Context, C2.Context));
        var check = One(checks, CheckNames.RemoteSecret, C1.Context, C2.Context);
        Assert.Contains($"for '{C2.ClusterId}'", check.Detail);
        Assert.StartsWith("Run New-Mesh", check.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Skipped, One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context).Status);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.RemoteSecret, C2.Context, C1.Context).Status);
        Assert.False(MeshChecker.AllPassed(checks));

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Secret_keyed_by_the_wrong_name_is_named_as_such()
    {
        var token = TokenOf(C2);
        C1.DeleteObject("v1", "Secret", "istio-system", RemoteSecretRenderer.SecretName(C2.ClusterId));
        C1.PutObject(MeshWiring.RemoteSecret(C2, C2.Name, token));
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.RemoteSecret, C1.Context, C2.Context));
        var check = One(checks, CheckNames.RemoteSecret, C1.Context, C2.Context);
        Assert.Contains($"keyed '{C2.Name}'", check.Detail);
        Assert.Contains($"calls itself '{C2.ClusterId}'", check.Detail);
        Assert.Contains("New-Mesh", check.RecommendedAction);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Revoked_token_fails_the_credentials_check()
    {
        C2.RevokeToken(TokenOf(C2));
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.RemoteSecretCredentials, C1.Context, C2.Context));
        var check = One(checks, CheckNames.RemoteSecretCredentials, C1.Context, C2.Context);
        Assert.Contains("401", check.Detail);
        Assert.Contains("New-Mesh", check.RecommendedAction);
        Assert.DoesNotContain(TokenOf(C2), string.Join("\n", checks.Select(c => c.Detail + c.RecommendedAction)));

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Deleted_token_secret_fails_token_and_credentials()
    {
        C2.DeleteObject("v1", "Secret", "istio-system", IstioReaderRenderer.TokenSecretName);
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.RemoteSecretCredentials, C1.Context, C2.Context),
            (CheckNames.RemoteSecretToken, C1.Context, C2.Context));
        Assert.Contains($"istio-system/{IstioReaderRenderer.TokenSecretName}",
            One(checks, CheckNames.RemoteSecretToken, C1.Context, C2.Context).Detail);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Services_not_exposed_fails_the_cross_network_gateway_check()
    {
        C2.DeleteObject("networking.istio.io/v1", "Gateway", "istio-system", CrossNetworkGatewayRenderer.GatewayName);
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.CrossNetworkGateway, C2.Context, null));
        Assert.Equal("Run Publish-MeshService.", One(checks, CheckNames.CrossNetworkGateway, C2.Context).RecommendedAction);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Gateway_without_AUTO_PASSTHROUGH_is_not_exposing()
    {
        var gateway = C2.GetObject("networking.istio.io/v1", "Gateway", "istio-system", CrossNetworkGatewayRenderer.GatewayName)!;
        gateway["spec"]!["servers"]![0]!["tls"]!["mode"] = "PASSTHROUGH";
        C2.PutObject(gateway);
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.CrossNetworkGateway, C2.Context, null));
        Assert.Contains("exists but has no AUTO_PASSTHROUGH", One(checks, CheckNames.CrossNetworkGateway, C2.Context).Detail);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Pending_gateway_address_fails_the_east_west_gateway_check()
    {
        C2.SetLoadBalancerNever();
        C2.DeleteObject("v1", "Service", "istio-system", EastWestGatewayRenderer.GatewayName);
        foreach (var obj in EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = "net-2", Revision = MeshWiring.Revision }))
        {
            C2.ApplyObject(obj);
        }

        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.EastWestGateway, C2.Context, null));
        var check = One(checks, CheckNames.EastWestGateway, C2.Context);
        Assert.Contains("<pending>", check.Detail);
        Assert.Contains("Install-EastWestGateway", check.RecommendedAction);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Missing_gateway_fails_with_install_action()
    {
        C1.DeleteObject("v1", "Service", "istio-system", EastWestGatewayRenderer.GatewayName);
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.EastWestGateway, C1.Context, null));
        Assert.Equal("Run Install-EastWestGateway -Network net-1.", One(checks, CheckNames.EastWestGateway, C1.Context).RecommendedAction);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1", "v2"]), (C2, ["v2"]));
    }

    [Fact]
    public async Task Wrong_network_label_on_the_gateway_is_reported()
    {
        SetNamespaceNetwork(C2, "net-other");
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.EastWestGateway, C2.Context, null));
        var check = One(checks, CheckNames.EastWestGateway, C2.Context);
        Assert.Contains("labelled for network 'net-2'", check.Detail);
        Assert.Contains("'net-other'", check.Detail);
        Assert.Contains("Install-EastWestGateway -Network net-other", check.RecommendedAction);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v1", "v2"]));
    }

    [Fact]
    public async Task Duplicate_network_label_fails_on_both_clusters()
    {
        SetNamespaceNetwork(C2, "net-1");
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.NetworkLabel, C1.Context, null), (CheckNames.NetworkLabel, C2.Context, null),
            (CheckNames.EastWestGateway, C2.Context, null));
        Assert.Contains($"also the network of {C2.Context}", One(checks, CheckNames.NetworkLabel, C1.Context).Detail);

        MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v2"]));
    }

    [Fact]
    public async Task Missing_network_label_fails()
    {
        var ns = C1.GetObject("v1", "Namespace", null, "istio-system")!;
        ((JsonObject)ns["metadata"]!["labels"]!).Remove("topology.istio.io/network");
        C1.PutObject(ns);
        var checks = await MeshWiring.CheckAsync(Lab);
        Assert.Equal(MeshCheckStatus.Failed, One(checks, CheckNames.NetworkLabel, C1.Context).Status);
        Assert.Contains("kubectl label namespace istio-system", One(checks, CheckNames.NetworkLabel, C1.Context).RecommendedAction);
    }

    [Fact]
    public async Task Different_roots_fail_the_shared_root_check_on_both_sides()
    {
        var original = C2.GetObject("v1", "ConfigMap", "istio-system", "istio-ca-root-cert")!;
        try
        {
            var replaced = (JsonObject)original.DeepClone();
            replaced["data"]!["root-cert.pem"] = OtherRootPem();
            ((JsonObject)replaced["metadata"]!).Remove("resourceVersion");
            C2.PutObject(replaced);
            var checks = await MeshWiring.CheckAsync(Lab);
            AssertOnlyFailures(checks, (CheckNames.SharedRoot, C1.Context, null), (CheckNames.SharedRoot, C2.Context, null));
            var check = One(checks, CheckNames.SharedRoot, C1.Context);
            Assert.Contains($"No common root with {C2.Context}", check.Detail);
            Assert.Contains("cacerts", check.RecommendedAction);
            MeshWiring.AssertReached(await MeshWiring.TrafficAsync(Lab), (C1, ["v1"]), (C2, ["v2"]));
        }
        finally
        {
            ((JsonObject)original["metadata"]!).Remove("resourceVersion");
            C2.PutObject(original);
        }
    }

    [Fact]
    public async Task Unreachable_cluster_fails_once_and_skips_what_depends_on_it()
    {
        C2.Faults.Add(new HybridMesh.Lab.Faults.FaultRule { Kind = HybridMesh.Lab.Faults.FaultKind.Reset });
        var checks = await MeshWiring.CheckAsync(Lab);
        AssertOnlyFailures(checks, (CheckNames.ApiServer, C2.Context, null));
        Assert.All(checks.Where(c => c.Cluster == C2.Context && c.Check != CheckNames.ApiServer), c => Assert.Equal(MeshCheckStatus.Skipped, c.Status));
        Assert.All(checks.Where(c => c.Peer == C2.Context), c => Assert.Equal(MeshCheckStatus.Skipped, c.Status));
    }

    [Fact]
    public async Task Traffic_reports_a_name_that_does_not_resolve()
    {
        // The lab's DNS: the name resolves only where Service helloworld exists in the client's own cluster.
        await MeshWiring.TrafficAsync(Lab);
        C1.DeleteObject("v1", "Service", "sample", "helloworld");
        using var session = HybridMesh.Engine.Kube.KubeSession.Open(MeshWiring.Targets(Lab)[0].Cluster);
        var pod = C1.ListObjects("v1", "Pod", "sample").Select(p => (string)p["metadata"]!["name"]!).First(n => n.StartsWith("sleep-", StringComparison.Ordinal));
        var (answer, _) = await HybridMesh.Engine.Steps.Traffic.TrafficProbe.CurlOnceAsync(session, "sample", pod, CancellationToken.None);
        Assert.Equal("curl exited 6: curl: (6) Could not resolve host: helloworld.sample", answer);
    }

    [Fact]
    public async Task Traffic_with_an_unreachable_kubelet_reaches_nothing_and_says_why()
    {
        var handler = C2.ExecHandler;
        C2.ExecHandler = null;
        try
        {
            var traffic = await MeshWiring.TrafficAsync(Lab);
            var fromC2 = Assert.Single(traffic, t => t.From == C2.Context);
            Assert.Empty(fromC2.Reached);
            Assert.Equal(["v1", "v2"], fromC2.Missing);
            Assert.False(fromC2.Passed);
            Assert.All(fromC2.Responses, r => Assert.StartsWith("exec failed: ", r));
            Assert.Equal(["v1", "v2"], Assert.Single(traffic, t => t.From == C1.Context).Reached);
        }
        finally
        {
            C2.ExecHandler = handler;
        }
    }

    internal static string TokenOf(LabCluster c) =>
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(
            c.GetObject("v1", "Secret", "istio-system", IstioReaderRenderer.TokenSecretName)!["data"]!["token"]!.GetValue<string>()));

    internal static void SetNamespaceNetwork(LabCluster c, string network)
    {
        var ns = c.GetObject("v1", "Namespace", null, "istio-system")!;
        ns["metadata"]!["labels"]!["topology.istio.io/network"] = network;
        c.PutObject(ns);
    }

    internal static string OtherRootPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=other-root", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return cert.ExportCertificatePem();
    }
}
