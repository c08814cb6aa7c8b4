using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Engine.Tests.Google;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Lab;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Check;

/// <summary>
/// The rules both cmdlets share (docs/design/rules.md): each broken mesh fails the same rule in Test-MeshConnectivity
/// (exact check and action) and in New-Mesh's pre-flight (exact error id, nothing written).
/// </summary>
public sealed class RuleTests
{
    private static MeshCheckOptions CheckOptions(MeshLab lab) => new()
    {
        Kube = new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 1 },
        Google = GoogleTestKit.Options(lab.Lab.Fleet!),
    };

    private static IReadOnlyList<MeshTarget> Targets(MeshLab lab, string? revision = null) =>
        lab.Targets().Select(t => new MeshTarget(t.Cluster) { FleetProjectId = lab.Lab.Options.FleetProject, Revision = revision }).ToArray();

    private static Task<IReadOnlyList<MeshCheck>> CheckAsync(MeshLab lab, string? revision = null) =>
        MeshChecker.RunAsync(Targets(lab, revision), CheckOptions(lab), new RecordingSink());

    private static MeshCheck One(IReadOnlyList<MeshCheck> checks, string check, string cluster, string? peer = null) =>
        Assert.Single(checks, c => c.Check == check && c.Cluster == cluster && c.Peer == peer);

    private static Dictionary<string, string> Versions(MeshLab lab) =>
        // What New-Mesh writes (the lab's controllers keep updating Deployment status, so those are left out).
        lab.Clusters.SelectMany(c => c.ListObjects("v1", "Secret", "istio-system").Concat(c.ListObjects("v1", "ServiceAccount", "istio-system"))
                .Select(o => (Key: $"{c.Context}/{o["kind"]}/{o["metadata"]!["name"]}", Value: o["metadata"]!["resourceVersion"]!.GetValue<string>())))
            .ToDictionary(p => p.Key, p => p.Value);

    private static async Task<RecordingSink> RefusedAsync(MeshLab lab, MeshRequest request)
    {
        var before = Versions(lab);
        foreach (var c in lab.Clusters) c.RequestLog.Clear();
        var sink = new RecordingSink();
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(request, sink, default));
        Assert.Equal("MeshChecksFailed", error.ErrorId);
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
        Assert.Equal(before, Versions(lab));
        return sink;
    }

    private static string ServedRoot(LabCluster cluster) =>
        cluster.GetObject("v1", "ConfigMap", "istio-system", "istio-ca-root-cert")!["data"]!["root-cert.pem"]!.GetValue<string>();

    private static void PutSecret(LabCluster cluster, string name, JsonObject data, JsonObject? labels = null, JsonObject? annotations = null,
        string type = "Opaque") =>
        cluster.PutObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret", ["type"] = type,
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = "istio-system",
                ["labels"] = labels ?? new JsonObject(), ["annotations"] = annotations ?? new JsonObject(),
            },
            ["data"] = data,
        });

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>What asmcli create-mesh leaves: a secret named and keyed after the kubeconfig context.</summary>
    private static string PutAsmcliSecret(LabCluster holder, LabCluster peer, string server, string? token = null)
    {
        var name = peer.Context.Replace('_', '-').Replace('@', '-');
        var kubeconfig = $"apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {server}\n" +
                         $"    certificate-authority-data: {B64(peer.CaCertificatePem)}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n" +
                         $"    user: {name}\ncurrent-context: {name}\nusers:\n- name: {name}\n  user:\n    token: {token ?? "not-a-token"}\n";
        PutSecret(holder, "istio-remote-secret-" + name, new JsonObject { [name] = B64(kubeconfig) },
            new JsonObject { ["istio/multiCluster"] = "true" }, new JsonObject { ["networking.istio.io/cluster"] = name });
        return "istio-remote-secret-" + name;
    }

    [Fact]
    public async Task Cacerts_not_served_fails_shared_root_and_stops_New_Mesh()
    {
        // Both clusters got the same cacerts, but istiod in the second was not restarted: it still serves its own root.
        await using var lab = await MeshLab.StartAsync(2, distinctRoots: true);
        var (first, second) = (lab.Clusters[0], lab.Clusters[1]);
        foreach (var cluster in lab.Clusters)
        {
            PutSecret(cluster, "cacerts", new JsonObject { ["root-cert.pem"] = B64(ServedRoot(first)) });
        }

        var checks = await CheckAsync(lab);
        var check = One(checks, CheckNames.SharedRoot, second.Context);
        Assert.Equal(MeshCheckStatus.Failed, check.Status);
        Assert.Contains("istiod has not loaded cacerts; restart istiod", check.Detail);
        Assert.Contains("rollout restart deployment istiod-asm-1282-4", check.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Failed, One(checks, CheckNames.SharedRoot, first.Context).Status);
        Assert.False(MeshChecker.AllPassed(checks));

        var sink = await RefusedAsync(lab, lab.Request());
        var error = Assert.Single(sink.Errors, e => e.ErrorId == "MeshCaCertsNotLoaded");
        Assert.Equal(second.Context, error.Target);
        Assert.Contains(sink.Errors, e => e.ErrorId == "MeshRootMismatch");
    }

    [Fact]
    public async Task Asmcli_secret_fails_the_remote_secret_check_naming_both()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var (gke, onprem) = (lab.Clusters[0], lab.Clusters[1]);
        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        // Found by the CA alone: the address is one only the cluster network knows.
        var stale = PutAsmcliSecret(onprem, gke, "https://10.0.0.9:6443");

        var checks = await CheckAsync(lab);
        var check = One(checks, CheckNames.RemoteSecret, onprem.Context, gke.Context);
        Assert.Equal(MeshCheckStatus.Failed, check.Status);
        Assert.Contains(stale, check.Detail);
        Assert.Contains("istio-remote-secret-" + gke.ClusterId, check.Detail);
        Assert.StartsWith("Run New-Mesh -RemoveStale", check.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.RemoteSecret, gke.Context, onprem.Context).Status);

        var sink = await RefusedAsync(lab, lab.Request());
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MeshStaleRemoteSecret", error.ErrorId);
        Assert.Contains(stale, error.Message);
    }

    [Fact]
    public async Task Leaving_removes_asmcli_secrets_and_what_is_left_of_their_reader()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var (gke, onprem, third) = (lab.Clusters[0], lab.Clusters[1], lab.Clusters[2]);
        var request = lab.Request();
        await MeshCreator.NewMeshAsync(request, new RecordingSink(), default);

        // asmcli's reader: its own ServiceAccount token in the leaving cluster, copied into a context-named secret.
        gke.PutObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "asmcli-reader", ["namespace"] = "istio-system" },
        });
        PutSecret(gke, "asmcli-reader-token", new JsonObject(), annotations: new JsonObject { ["kubernetes.io/service-account.name"] = "asmcli-reader" },
            type: "kubernetes.io/service-account-token");
        string? token = null;
        for (var i = 0; i < 100 && token is null; i++)
        {
            token = gke.GetObject("v1", "Secret", "istio-system", "asmcli-reader-token")?["data"]?["token"]?.GetValue<string>();
            if (token is null) await Task.Delay(50);
        }

        Assert.NotNull(token);
        var stale = PutAsmcliSecret(onprem, gke, gke.Server, Encoding.UTF8.GetString(Convert.FromBase64String(token!)));

        await MeshRemover.RemoveAsync(new MeshRemovalRequest
        {
            Targets = request.Targets, Kube = request.Kube, Leaving = [gke.Context], IncludeReaderToken = true,
        }, new RecordingSink(), default);

        Assert.DoesNotContain(lab.RemoteSecrets(onprem), s => s["metadata"]!["name"]!.GetValue<string>() == stale);
        Assert.Equal(["istio-remote-secret-" + third.ClusterId],
            lab.RemoteSecrets(onprem).Select(s => s["metadata"]!["name"]!.GetValue<string>()).ToArray());
        Assert.Null(gke.GetObject("v1", "Secret", "istio-system", "asmcli-reader-token"));
        Assert.NotNull(third.GetObject("v1", "Secret", "istio-system", "istio-reader-service-account-istio-remote-secret-token"));
    }

    [Fact]
    public async Task A_GKE_cluster_registered_through_GKE_Hub_passes_the_fleet_check()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 1, shape: "cluster 1 unregistered");
        var gke = lab.Clusters[0];
        Assert.Equal(MeshCheckStatus.Failed, One(await CheckAsync(lab), CheckNames.FleetMembership, gke.Context).Status);

        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        var check = One(await CheckAsync(lab), CheckNames.FleetMembership, gke.Context);
        Assert.Equal(MeshCheckStatus.Passed, check.Status);
        Assert.Contains("READY", check.Detail);
    }

    [Fact]
    public async Task An_owner_naming_the_project_number_is_accepted_by_both_cmdlets()
    {
        await using var lab = await MeshLab.StartAsync(2, (_, c) => c.OwnerByProjectNumber = true);
        var owner = lab.Clusters[1].GetObject("hub.gke.io/v1", "Membership", null, "membership")!["spec"]!["owner"]!["id"]!.GetValue<string>();
        Assert.Contains($"/projects/{lab.Lab.Options.FleetProjectNumber}/", owner);

        var checks = await CheckAsync(lab);
        Assert.All(lab.Clusters, c => Assert.Equal(MeshCheckStatus.Passed, One(checks, CheckNames.FleetMembership, c.Context).Status));
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
    }

    [Fact]
    public async Task The_register_command_names_the_kubeconfig_that_defines_the_context()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 2);
        var onprem = lab.Clusters[1];
        var files = lab.Clusters.Select(c => c.KubeconfigPath).ToArray();
        var targets = lab.Clusters.Select(c => new MeshTarget(ClusterDiscovery.GetClusters(
            new ClusterQuery { Kubeconfig = files, Context = [c.Context] }, NullMeshSink.Instance).Single())).ToArray();
        var sink = await RefusedAsync(lab, lab.Request(targets: targets));
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MeshOnPremNotRegistered", error.ErrorId);
        Assert.Contains("--kubeconfig=" + onprem.KubeconfigPath, error.RecommendedAction);

        var check = One(await MeshChecker.RunAsync(targets.Select(t => new MeshTarget(t.Cluster) { FleetProjectId = lab.Lab.Options.FleetProject }).ToArray(),
            CheckOptions(lab), new RecordingSink()), CheckNames.FleetMembership, onprem.Context);
        Assert.Equal(MeshCheckStatus.Failed, check.Status);
        Assert.Equal(error.RecommendedAction, check.RecommendedAction);
    }

    [Fact]
    public async Task Two_revisions_with_different_cluster_ids_are_an_error_until_one_is_chosen()
    {
        await using var lab = await MeshLab.StartAsync(2, (_, c) => c.Revisions = ["asm-1282-4", "asm-1264-1"]);
        var second = lab.Clusters[1];
        var old = second.GetObject("apps/v1", "Deployment", "istio-system", "istiod-asm-1264-1")!;
        foreach (var container in old["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
        {
            foreach (var env in container!["env"]?.AsArray() ?? [])
            {
                if (env!["name"]!.GetValue<string>() == "CLUSTER_ID") env["value"] = "cn-old-name";
            }
        }

        ((JsonObject)old["metadata"]!).Remove("resourceVersion");
        second.PutObject(old);

        var sink = await RefusedAsync(lab, lab.Request());
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MeshClusterIdAmbiguous", error.ErrorId);
        Assert.Equal(second.Context, error.Target);
        Assert.Contains("cn-old-name", error.Message);
        Assert.Contains(second.ClusterId, error.Message);
        Assert.Contains("-Revision", error.RecommendedAction);
        Assert.Equal(MeshCheckStatus.Failed, One(await CheckAsync(lab), CheckNames.IstioRevision, second.Context).Status);

        var chosen = Targets(lab, "asm-1282-4");
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(targets: chosen), new RecordingSink(), default)).Mesh!;
        Assert.Contains(mesh.Links, l => l.Source == second.ClusterId && l.Status == MeshLinkStatus.Connected);
        Assert.Equal(MeshCheckStatus.Passed, One(await CheckAsync(lab, "asm-1282-4"), CheckNames.IstioRevision, second.Context).Status);
    }
}
