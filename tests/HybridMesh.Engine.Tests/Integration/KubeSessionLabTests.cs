using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps;
using HybridMesh.Lab.Faults;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Integration;

/// <summary>
/// Every Kubernetes call the module makes, through the real KubernetesClient, against a lab cluster — including
/// each fault kind the lab can inject. The unit tests of KubeSession use canned answers; these prove the two agree.
/// </summary>
public sealed class KubeSessionLabTests(LabFixture fx) : IClassFixture<LabFixture>, IDisposable
{
    private static readonly KubeSessionOptions Fast = new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private readonly string _ns = "kst-" + Guid.NewGuid().ToString("N")[..6];

    public void Dispose()
    {
        fx.Gke.ClearFaults();
        fx.OnPrem.ClearFaults();
    }

    private KubeSession Open(HybridMesh.Lab.LabCluster cluster, KubeSessionOptions? options = null) =>
        KubeSession.Open([cluster.KubeconfigPath], cluster.Context, options ?? Fast);

    private static JsonObject ConfigMap(string ns, string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = "kst" } },
        ["data"] = new JsonObject { ["k"] = value },
    };

    private async Task<KubeSession> WithNamespace(HybridMesh.Lab.LabCluster cluster)
    {
        var session = Open(cluster);
        await session.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = _ns },
        });
        return session;
    }

    [Fact]
    public async Task Apply_creates_then_is_unchanged_then_configured_and_get_list_delete_work()
    {
        using var session = await WithNamespace(fx.Gke);

        var created = await session.ApplyAsync(ConfigMap(_ns, "one", "a"));
        var again = await session.ApplyAsync(ConfigMap(_ns, "one", "a"));
        var changed = await session.ApplyAsync(ConfigMap(_ns, "one", "b"));

        Assert.Equal(ApplyOutcome.Created, created.Outcome);
        Assert.Equal(ApplyOutcome.Unchanged, again.Outcome);
        Assert.Equal(ApplyOutcome.Configured, changed.Outcome);
        var live = await session.GetAsync("v1", "ConfigMap", _ns, "one");
        Assert.Equal("b", (string?)live!["data"]!["k"]);
        Assert.Contains(live["metadata"]!["managedFields"]!.AsArray(), f => (string?)f!["manager"] == "hybridmesh");

        var listed = await session.ListAsync("v1", "ConfigMap", _ns, "app=kst");
        Assert.Equal(["one"], listed.Select(o => (string?)o["metadata"]!["name"]));
        Assert.Equal("ConfigMap", (string?)listed[0]["kind"]);

        Assert.True(await session.DeleteAsync("v1", "ConfigMap", _ns, "one"));
        Assert.False(await session.DeleteAsync("v1", "ConfigMap", _ns, "one"));
        Assert.Null(await session.GetAsync("v1", "ConfigMap", _ns, "one"));
    }

    [Fact]
    public async Task The_requests_are_the_ones_kubectl_would_send_for_apply()
    {
        using var session = await WithNamespace(fx.Gke);
        fx.Gke.RequestLog.Clear();

        await session.ApplyAsync(ConfigMap(_ns, "shape", "x"));

        var patch = Assert.Single(fx.Gke.RequestLog.Entries, e => e.Method == "PATCH");
        Assert.StartsWith($"/api/v1/namespaces/{_ns}/configmaps/shape", patch.Path);
        Assert.Contains("fieldManager=hybridmesh", patch.Query);
        Assert.StartsWith("application/apply-patch+yaml", patch.ContentType);
    }

    [Fact]
    public async Task Discovery_reports_the_gateway_versions_the_cluster_serves()
    {
        using var session = Open(fx.Gke);
        var versions = await session.ServedVersionsAsync("networking.istio.io");
        Assert.Equal("v1", versions[0]);
        Assert.Contains("v1beta1", versions);
        Assert.Contains("v1alpha3", versions);
        Assert.Empty(await session.ServedVersionsAsync("no.such.group.example"));

        var info = await session.ResolveAsync("networking.istio.io/v1", "Gateway");
        Assert.Equal("gateways", info.Plural);
        Assert.True(info.Namespaced);
        var membership = await session.ResolveAsync("hub.gke.io/v1", "Membership");
        Assert.False(membership.Namespaced);
    }

    [Fact]
    public async Task A_kind_the_cluster_does_not_serve_is_a_clear_error()
    {
        using var session = Open(fx.Gke);
        var error = await Assert.ThrowsAsync<MeshException>(() => session.GetAsync("example.com/v1", "Widget", "default", "w"));
        Assert.Equal("KubeKindNotServed", error.ErrorId);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Transient_statuses_are_retried_and_the_call_succeeds(int status)
    {
        using var session = await WithNamespace(fx.OnPrem);
        fx.OnPrem.RequestLog.Clear();
        fx.OnPrem.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = status, Count = 2, PathContains = "/configmaps/retry" });

        var result = await session.ApplyAsync(ConfigMap(_ns, "retry", "v"));

        Assert.Equal(ApplyOutcome.Created, result.Outcome);
        Assert.Equal(2, fx.OnPrem.RequestLog.Entries.Count(e => e.Path.Contains("/configmaps/retry") && e.Status == status));
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        using var session = await WithNamespace(fx.OnPrem);
        fx.OnPrem.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = 1, PathContains = "/configmaps/reset" });

        var result = await session.ApplyAsync(ConfigMap(_ns, "reset", "v"));

        Assert.Equal(ApplyOutcome.Created, result.Outcome);
    }

    [Fact]
    public async Task Latency_within_the_timeout_only_slows_the_call_and_beyond_it_the_server_is_unreachable()
    {
        using var session = Open(fx.OnPrem, Fast with { Timeout = TimeSpan.FromSeconds(1), MaxAttempts = 1 });
        fx.OnPrem.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = 100, Count = 1 });
        Assert.NotNull(await session.GetAsync("v1", "Namespace", null, "kube-system"));

        fx.OnPrem.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = 3000, Count = 1 });
        var error = await Assert.ThrowsAsync<KubeUnreachableException>(() => session.GetAsync("v1", "Namespace", null, "kube-system"));
        Assert.Equal("ApiServerUnreachable", error.ErrorId);
        Assert.Equal(fx.OnPrem.Context, error.Target);
    }

    [Fact]
    public async Task A_revoked_token_is_unauthorized_and_never_retried()
    {
        var user = fx.OnPrem.AddUser("kst-user-" + _ns, "system:masters");
        var kubeconfig = Path.Combine(fx.Directory, _ns + ".yaml");
        File.WriteAllText(kubeconfig, File.ReadAllText(fx.OnPrem.KubeconfigPath).Replace(fx.OnPrem.AdminToken, user));
        using var session = KubeSession.Open([kubeconfig], fx.OnPrem.Context, Fast);
        Assert.NotNull(await session.GetAsync("v1", "Namespace", null, "default"));

        fx.OnPrem.RevokeToken(user);
        fx.OnPrem.RequestLog.Clear();
        var error = await Assert.ThrowsAsync<KubeUnauthorizedException>(() => session.GetAsync("v1", "Namespace", null, "default"));

        Assert.Equal("KubeUnauthorized", error.ErrorId);
        Assert.Single(fx.OnPrem.RequestLog.Entries);
        Assert.DoesNotContain(user, error.Message + error.RecommendedAction);
    }

    [Fact]
    public async Task A_user_without_rights_is_forbidden()
    {
        var viewer = fx.Gke.AddUser("kst-nobody-" + _ns);
        var kubeconfig = Path.Combine(fx.Directory, _ns + "-nobody.yaml");
        File.WriteAllText(kubeconfig, File.ReadAllText(fx.Gke.KubeconfigPath).Replace(fx.Gke.AdminToken, viewer));
        using var session = KubeSession.Open([kubeconfig], fx.Gke.Context, Fast);

        var error = await Assert.ThrowsAsync<KubeForbiddenException>(() => session.ListAsync("v1", "Secret", "istio-system"));

        Assert.Equal("KubeForbidden", error.ErrorId);
        Assert.Equal(MeshErrorCategory.PermissionDenied, error.Category);
    }

    [Fact]
    public async Task The_inspector_reads_what_the_asm_preset_left()
    {
        using var session = Open(fx.Gke);
        var details = await ClusterInspector.InspectAsync(session, NullMeshSink.Instance);
        using var other = Open(fx.OnPrem);
        var otherDetails = await ClusterInspector.InspectAsync(other, NullMeshSink.Instance);

        Assert.StartsWith("v1.", details.ServerVersion);
        Assert.Equal(["asm-1282-4"], details.IstioRevisions);
        Assert.Equal(fx.Gke.ClusterId, details.IstioClusterName);
        Assert.Equal(fx.OnPrem.ClusterId, otherDetails.IstioClusterName);
        Assert.NotEmpty(details.RootCertificateFingerprints);
        // One shared root by default: the same fingerprint in both clusters.
        Assert.Equal(details.RootCertificateFingerprints, otherDetails.RootCertificateFingerprints);
    }
}
