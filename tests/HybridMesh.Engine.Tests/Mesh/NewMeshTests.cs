using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>New-Mesh against the lab: wiring, convergence, -WhatIf, and the link proof.</summary>
public sealed class NewMeshTests
{
    [Fact]
    public async Task Two_clusters_are_wired_then_a_rerun_changes_nothing()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;

        Assert.Empty(sink.Errors);
        Assert.Equal("proj-480516722219", mesh.MeshId);
        Assert.Equal(2, mesh.Links.Length);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkOutcome.Created, l.Outcome));
        Assert.All(mesh.Links, l => Assert.True(l.TokenCreated));

        // The secret in cluster2 lets its istiod read cluster1, keyed by cluster1's Istio cluster name.
        var (gke, onprem) = (lab.Clusters[0], lab.Clusters[1]);
        var secret = Assert.Single(lab.RemoteSecrets(onprem));
        Assert.Equal("istio-remote-secret-" + gke.ClusterId, secret["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(gke.ClusterId, secret["metadata"]!["annotations"]!["networking.istio.io/cluster"]!.GetValue<string>());
        var key = Assert.Single((JsonObject)secret["data"]!);
        Assert.Equal(gke.ClusterId, key.Key);
        var kubeconfig = Encoding.UTF8.GetString(Convert.FromBase64String(key.Value!.GetValue<string>()));
        Assert.Contains("server: " + gke.Server.TrimEnd('/'), kubeconfig.Replace("/\n", "\n"));
        Assert.Contains(lab.ReaderToken(gke)!, kubeconfig);
        Assert.Contains(sink.Warnings, w => w.Contains("loopback", StringComparison.Ordinal));

        foreach (var c in lab.Clusters) c.RequestLog.Clear();
        var rerunSink = new RecordingSink();
        var again = (await MeshCreator.NewMeshAsync(lab.Request(), rerunSink, default)).Mesh!;
        Assert.Empty(rerunSink.Errors);
        Assert.All(again.Links, l => Assert.Equal(MeshLinkOutcome.Unchanged, l.Outcome));
        Assert.All(again.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.All(again.Links, l => Assert.False(l.TokenCreated));
        // Converged: reads and the two access reviews of the link proof, no write.
        var writes = lab.Clusters.SelectMany(c => c.RequestLog.Entries)
            .Where(e => e.Method != "GET" && !e.Path.EndsWith("selfsubjectaccessreviews", StringComparison.Ordinal)).ToArray();
        Assert.Empty(writes);
    }

    [Fact]
    public async Task Four_clusters_get_twelve_links_and_converge()
    {
        await using var lab = await MeshLab.StartAsync(4);
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        Assert.Equal(12, mesh.Links.Length);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.Equal(12, mesh.Links.Select(l => (l.Source, l.Target)).Distinct().Count());
        foreach (var cluster in lab.Clusters)
        {
            var names = lab.RemoteSecrets(cluster).Select(s => s["metadata"]!["name"]!.GetValue<string>()).Order().ToArray();
            var expected = lab.Clusters.Where(c => c != cluster).Select(c => "istio-remote-secret-" + c.ClusterId).Order().ToArray();
            Assert.Equal(expected, names);
        }

        // Secrets are listed twice per cluster (remote secrets, reader tokens) however many links it has: the token is
        // read once per source and reused for its three targets.
        Assert.All(lab.Clusters, c => Assert.Equal(2, c.RequestLog.Entries.Count(e => e.Method == "GET" && e.Path == "/api/v1/namespaces/istio-system/secrets")));
        Assert.Contains(sink.Messages, m => m.StartsWith("PROGRESS: Wiring links", StringComparison.Ordinal) && m.Contains("(12 of 12)"));

        var again = (await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default)).Mesh!;
        Assert.All(again.Links, l => Assert.Equal(MeshLinkOutcome.Unchanged, l.Outcome));
    }

    [Fact]
    public async Task WhatIf_sends_only_reads()
    {
        await using var lab = await MeshLab.StartAsync(2, (i, c) => c.Registered = i != 1, shape: "cluster 1 unregistered");
        lab.Lab.Fleet!.ClearRequestLog();
        var sink = RecordingSink.Declining();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;

        Assert.Empty(sink.Errors);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Planned, l.Status));
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkOutcome.Skipped, l.Outcome));
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
        Assert.All(lab.Lab.Fleet.RequestLog.Where(r => r.Api != FleetApi.Token), r => Assert.Equal("GET", r.Method));
        // What would happen is still said: the registration and the token Secrets.
        Assert.Contains(sink.Proposed, p => p.StartsWith("Register the GKE cluster", StringComparison.Ordinal));
        Assert.Equal(2, sink.Proposed.Count(p => p.StartsWith("Create the long-lived reader token", StringComparison.Ordinal)));
        Assert.All(lab.Clusters, c => Assert.Empty(lab.RemoteSecrets(c)));
    }

    [Fact]
    public async Task Server_errors_during_wiring_are_retried_and_converge()
    {
        await using var lab = await MeshLab.StartAsync(3);
        // One of each per cluster: the two remote secrets a cluster receives are written concurrently and share these
        // counts, so with two of each one write could meet all four faults and exhaust its four attempts (flaky).
        foreach (var cluster in lab.Clusters)
        {
            cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 429, RetryAfterSeconds = 0, Count = 1, Method = "PATCH", PathContains = "/secrets/" });
            cluster.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Count = 1, Method = "PATCH", PathContains = "/secrets/" });
        }

        // The four faults of a cluster are shared by its two secret PATCHes; which one meets how many depends on
        // timing, so each request may need all five attempts.
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(maxAttempts: 5), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.Contains(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => e.Status == 429);
        Assert.Contains(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => e.Status == 503);
        Assert.All(lab.Clusters, c => Assert.Equal(2, lab.RemoteSecrets(c).Count));
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_only_its_links()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var down = lab.Clusters[2];
        down.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = int.MaxValue });
        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;

        Assert.Equal(6, mesh.Links.Length);
        var affected = mesh.Links.Where(l => l.SourceContext == down.Context || l.TargetContext == down.Context).ToArray();
        Assert.Equal(4, affected.Length);
        Assert.All(affected, l => Assert.Equal(MeshLinkStatus.Unreachable, l.Status));
        Assert.All(mesh.Links.Except(affected), l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        // One error per affected link, naming the link and the cluster.
        Assert.Equal(4, sink.Errors.Count);
        Assert.All(sink.Errors, e => Assert.Equal("MeshLinkClusterUnreachable", e.ErrorId));
        Assert.All(sink.Errors, e => Assert.Contains(down.Context, e.Message));
        Assert.Single(lab.RemoteSecrets(lab.Clusters[0]));
    }

    [Fact]
    public async Task A_stale_secret_stops_the_run_and_is_removed_with_RemoveStale()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var (gke, onprem) = (lab.Clusters[0], lab.Clusters[1]);
        // What asmcli create-mesh leaves: a secret named after the sanitised kubeconfig context, pointing at the same server.
        var asmcliName = gke.Context.Replace('_', '-');
        var kubeconfig = $"apiVersion: v1\nkind: Config\nclusters:\n- name: {asmcliName}\n  cluster:\n    server: {gke.Server}\n";
        onprem.PutObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = "istio-remote-secret-" + asmcliName, ["namespace"] = "istio-system",
                ["labels"] = new JsonObject { ["istio/multiCluster"] = "true" },
                ["annotations"] = new JsonObject { ["networking.istio.io/cluster"] = asmcliName },
            },
            ["data"] = new JsonObject { [asmcliName] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig)) },
        });

        foreach (var c in lab.Clusters) c.RequestLog.Clear();
        var sink = new RecordingSink();
        var refused = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(lab.Request(), sink, default));
        Assert.Equal("MeshChecksFailed", refused.ErrorId);
        var stale = Assert.Single(sink.Errors);
        Assert.Equal("MeshStaleRemoteSecret", stale.ErrorId);
        Assert.Equal(onprem.Context, stale.Target);
        Assert.Contains("istio-remote-secret-" + asmcliName, stale.Message);
        Assert.Contains("istio-remote-secret-" + gke.ClusterId, stale.Message);
        Assert.Contains("-RemoveStale", stale.RecommendedAction);
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
        Assert.Single(lab.RemoteSecrets(onprem));

        var request = lab.Request();
        await MeshCreator.NewMeshAsync(new MeshRequest
        {
            Targets = request.Targets, FleetProjectId = request.FleetProjectId, Kube = request.Kube, Google = request.Google,
            RemoveStale = true,
        }, new RecordingSink(), default);
        Assert.Equal("istio-remote-secret-" + gke.ClusterId, Assert.Single(lab.RemoteSecrets(onprem))["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_override_is_written_into_the_secret()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var gke = lab.Clusters[0];
        var request = lab.Request();
        var mesh = (await MeshCreator.NewMeshAsync(new MeshRequest
        {
            Targets = request.Targets, FleetProjectId = request.FleetProjectId, Kube = request.Kube, Google = request.Google,
            ServerOverride = new Dictionary<string, string> { [gke.ClusterId] = "https://10.20.0.2:6443" },
        }, new RecordingSink(), default)).Mesh!;
        Assert.Equal("https://10.20.0.2:6443", Assert.Single(mesh.Links, l => l.Source == gke.ClusterId).Server);
        var data = (JsonObject)Assert.Single(lab.RemoteSecrets(lab.Clusters[1]))["data"]!;
        Assert.Contains("server: https://10.20.0.2:6443", Encoding.UTF8.GetString(Convert.FromBase64String(data[gke.ClusterId]!.GetValue<string>())));
        // The proof uses this machine's address for the source, so the link is still proven.
        Assert.Equal(MeshLinkStatus.Connected, Assert.Single(mesh.Links, l => l.Source == gke.ClusterId).Status);
    }
}
