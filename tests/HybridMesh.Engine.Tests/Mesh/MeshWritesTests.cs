using System.Text.Json.Nodes;
using HybridMesh.Engine.Steps;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>
/// New-Mesh refuses a request that cannot succeed before its first write (bad -ServerOverride, unknown names,
/// fewer than two clusters), reports every link that does not end Connected as an error, heals a rejected reader
/// token, and lists under -WhatIf every remote secret it would write.
/// </summary>
public sealed class MeshWritesTests
{
    private static MeshRequest With(MeshRequest r, IReadOnlyDictionary<string, string>? serverOverride = null,
        IReadOnlyList<MeshTarget>? targets = null) => new()
    {
        Targets = targets ?? r.Targets, FleetProjectId = r.FleetProjectId, Kube = r.Kube, Google = r.Google,
        ServerOverride = serverOverride ?? r.ServerOverride,
    };

    private static string[] Writes(MeshLab lab) => lab.Clusters.SelectMany(c => c.RequestLog.Entries)
        .Where(e => e.Method != "GET" && !e.Path.EndsWith("selfsubjectaccessreviews", StringComparison.Ordinal))
        .Select(e => $"{e.Method} {e.Path}").ToArray();

    private static string[] Secrets(LabCluster cluster) =>
        cluster.ListObjects("v1", "Secret", "istio-system").Select(s => s["metadata"]!["name"]!.GetValue<string>()).Order().ToArray();

    [Fact]
    public async Task A_malformed_server_override_is_server_url_invalid_and_nothing_is_written()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var before = lab.Clusters.Select(Secrets).ToArray();
        var gke = lab.Clusters[0];
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(
            With(lab.Request(), new Dictionary<string, string> { [gke.ClusterId] = "https//10.0.0.2:6443" }), new RecordingSink(), default));

        Assert.Equal("ServerUrlInvalid", error.ErrorId);
        Assert.Empty(Writes(lab));
        Assert.Equal(before, lab.Clusters.Select(Secrets).ToArray());
    }

    [Fact]
    public async Task An_unknown_server_override_key_names_the_valid_keys_and_nothing_is_written()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var before = lab.Clusters.Select(Secrets).ToArray();
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(
            With(lab.Request(), new Dictionary<string, string> { ["cluster-9"] = "https://10.0.0.2:6443" }), new RecordingSink(), default));

        Assert.Equal("ClusterNameUnknown", error.ErrorId);
        Assert.Equal("cluster-9", error.Target);
        foreach (var cluster in lab.Clusters)
        {
            Assert.Contains(cluster.Context, error.Message);
            Assert.Contains(cluster.ClusterId, error.Message);
        }

        Assert.Empty(Writes(lab));
        Assert.Equal(before, lab.Clusters.Select(Secrets).ToArray());
    }

    [Fact]
    public async Task A_server_override_key_may_be_the_context_or_the_short_name()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var (gke, onprem) = (lab.Clusters[0], lab.Clusters[1]);
        var mesh = (await MeshCreator.NewMeshAsync(With(lab.Request(), new Dictionary<string, string>
        {
            ["CLUSTER1"] = "https://10.20.0.2:6443",   // the GKE cluster's short name, in another case (hashtable keys)
            [onprem.Context] = "https://10.30.0.2:6443",
        }), new RecordingSink(), default)).Mesh!;

        Assert.Equal("https://10.20.0.2:6443", Assert.Single(mesh.Links, l => l.Source == gke.ClusterId).Server);
        Assert.Equal("https://10.30.0.2:6443", Assert.Single(mesh.Links, l => l.Source == onprem.ClusterId).Server);
    }

    [Fact]
    public async Task One_cluster_is_too_few_and_nothing_is_read()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var request = lab.Request();
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(
            With(request, targets: [request.Targets[0]]), new RecordingSink(), default));

        Assert.Equal("MeshTooFewClusters", error.ErrorId);
        Assert.Empty(lab.Clusters.SelectMany(c => c.RequestLog.Entries));
    }

    [Fact]
    public async Task Two_clusters_with_one_unreachable_are_too_few_and_no_token_is_created()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var before = Secrets(lab.Clusters[0]);
        lab.Clusters[1].Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = int.MaxValue });
        var error = await Assert.ThrowsAsync<MeshException>(() => MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default));

        Assert.Equal("MeshTooFewClusters", error.ErrorId);
        Assert.Contains(lab.Clusters[1].Context + " (unreachable)", error.Message);
        Assert.Empty(Writes(lab));
        Assert.Equal(before, Secrets(lab.Clusters[0]));
    }

    [Fact]
    public async Task A_revoked_reader_token_is_reissued_and_every_remote_secret_holding_it_is_rewritten()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        var gke = lab.Clusters[0];
        var old = lab.ReaderToken(gke)!;
        gke.RevokeToken(old);

        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        var fromGke = mesh.Links.Where(l => l.Source == gke.ClusterId).ToArray();
        Assert.Equal(2, fromGke.Length);
        Assert.All(fromGke, l => Assert.Equal(MeshLinkOutcome.Configured, l.Outcome));
        Assert.All(fromGke, l => Assert.True(l.TokenCreated));
        Assert.All(mesh.Links.Except(fromGke), l => Assert.Equal(MeshLinkOutcome.Unchanged, l.Outcome));
        Assert.Contains(sink.Warnings, w => w.Contains("rejects the reader token", StringComparison.Ordinal));
        Assert.Contains("istio-reader-service-account-istio-remote-secret-token-2", Secrets(gke));
        Assert.DoesNotContain(old, sink.AllText);

        // Converged: the new token is the one used from now on.
        foreach (var c in lab.Clusters) c.RequestLog.Clear();
        var again = (await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default)).Mesh!;
        Assert.All(again.Links, l => Assert.Equal(MeshLinkOutcome.Unchanged, l.Outcome));
        Assert.All(again.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.DoesNotContain(Writes(lab), w => !w.Contains("/secrets/istio-reader-service-account", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_reader_token_secret_is_replaced_and_its_remote_secrets_rewritten()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        var onprem = lab.Clusters[1];
        var old = lab.ReaderToken(onprem)!;
        Assert.True(onprem.DeleteObject("v1", "Secret", "istio-system", "istio-reader-service-account-istio-remote-secret-token"));

        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        var link = Assert.Single(mesh.Links, l => l.Source == onprem.ClusterId);
        Assert.Equal(MeshLinkStatus.Connected, link.Status);
        Assert.True(link.TokenCreated);
        // A legacy token has no iat/exp/jti and RS256 signatures are deterministic, so a Secret of the same name for
        // the same ServiceAccount gets the same token back: the remote secret in the other cluster is valid again.
        Assert.Equal(old, lab.ReaderToken(onprem));
        Assert.Equal(MeshLinkOutcome.Unchanged, link.Outcome);
    }

    [Fact]
    public async Task A_rejected_token_that_may_not_be_replaced_is_an_error_per_link()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        var gke = lab.Clusters[0];
        gke.RevokeToken(lab.ReaderToken(gke)!);

        var sink = RecordingSink.DecliningWhere((_, action) => action.StartsWith("Create a new long-lived reader token", StringComparison.Ordinal));
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        var link = Assert.Single(mesh.Links, l => l.Source == gke.ClusterId);
        Assert.Equal(MeshLinkStatus.Unauthorized, link.Status);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MeshLinkUnauthorized", error.ErrorId);
        Assert.Equal($"{gke.ClusterId} -> {lab.Clusters[1].ClusterId}", error.Target);
        Assert.Equal(MeshErrorCategory.AuthenticationError, error.Category);
    }

    [Fact]
    public async Task A_token_marked_invalid_by_the_legacy_token_cleaner_is_rejected_and_replaced()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await MeshCreator.NewMeshAsync(lab.Request(), new RecordingSink(), default);
        var gke = lab.Clusters[0];
        var name = "istio-reader-service-account-istio-remote-secret-token";
        var secret = (JsonObject)gke.GetObject("v1", "Secret", "istio-system", name)!.DeepClone();
        var labels = secret["metadata"]!["labels"] as JsonObject ?? new JsonObject();
        labels["kubernetes.io/legacy-token-invalid-since"] = "2026-01-01";
        secret["metadata"]!["labels"] = labels.DeepClone();
        gke.PutObject(secret);

        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Empty(sink.Errors);
        var link = Assert.Single(mesh.Links, l => l.Source == gke.ClusterId);
        Assert.Equal(MeshLinkStatus.Connected, link.Status);
        Assert.Equal(MeshLinkOutcome.Configured, link.Outcome);
        Assert.Contains(name + "-2", Secrets(gke));
    }

    [Fact]
    public async Task A_forbidden_reader_is_an_error_naming_the_link()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var onprem = lab.Clusters[1];
        var role = onprem.ListObjects("rbac.authorization.k8s.io/v1", "ClusterRole")
            .Single(r => r["metadata"]!["name"]!.GetValue<string>().StartsWith("istio-reader-clusterrole", StringComparison.Ordinal));
        var emptied = (JsonObject)role.DeepClone();
        emptied["rules"] = new JsonArray();
        onprem.PutObject(emptied);

        var sink = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sink, default)).Mesh!;
        Assert.Equal(MeshLinkStatus.Forbidden, Assert.Single(mesh.Links, l => l.Source == onprem.ClusterId).Status);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MeshLinkForbidden", error.ErrorId);
        Assert.Contains("may not list services", error.Message);
    }

    [Fact]
    public async Task WhatIf_lists_every_remote_secret_also_before_the_tokens_exist()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var sink = RecordingSink.Declining();
        await MeshCreator.NewMeshAsync(lab.Request(), sink, default);

        var secrets = sink.Proposed.Where(p => p.StartsWith("Create remote secret: ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(6, secrets.Length);
        foreach (var s in lab.Clusters)
        {
            foreach (var t in lab.Clusters.Where(c => c != s))
            {
                Assert.Contains(secrets, p => p.Contains($"istio-remote-secret-{s.ClusterId} in context '{t.Context}'", StringComparison.Ordinal));
            }
        }

        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
    }

    [Fact]
    public async Task Leaving_by_an_unknown_name_deletes_nothing_and_by_Istio_name_works()
    {
        await using var lab = await MeshLab.StartAsync(3);
        var request = lab.Request();
        await MeshCreator.NewMeshAsync(request, new RecordingSink(), default);
        var before = lab.Clusters.Select(Secrets).ToArray();

        var error = await Assert.ThrowsAsync<MeshException>(() => MeshRemover.RemoveAsync(new MeshRemovalRequest
        {
            Targets = request.Targets, Leaving = ["cluster-9"], Kube = request.Kube,
        }, new RecordingSink(), default));
        Assert.Equal("ClusterNameUnknown", error.ErrorId);
        Assert.Equal(before, lab.Clusters.Select(Secrets).ToArray());

        var leaving = lab.Clusters[2];
        await MeshRemover.RemoveAsync(new MeshRemovalRequest
        {
            Targets = request.Targets, Leaving = [leaving.ClusterId], Kube = request.Kube,
        }, new RecordingSink(), default);
        Assert.Empty(lab.RemoteSecrets(leaving));
        Assert.All(lab.Clusters.Take(2), c => Assert.Single(lab.RemoteSecrets(c)));
    }

    [Fact]
    public void The_resolver_accepts_every_name_and_refuses_ambiguity()
    {
        var resolver = new ClusterNameResolver([
            new ClusterNames("gke_p_l_prod", "cn-p-l-prod", "prod"),
            new ClusterNames("admin@onprem", "cn-f-global-onprem", "admin@onprem"),
            new ClusterNames("gke_q_l_prod", null, "prod"),
        ]);
        Assert.Equal(0, resolver.Resolve("-X", "gke_p_l_prod"));
        Assert.Equal(0, resolver.Resolve("-X", "cn-p-l-prod"));
        Assert.Equal(1, resolver.Resolve("-X", "ADMIN@onprem"));
        var ambiguous = Assert.Throws<MeshException>(() => resolver.Resolve("-X", "prod"));
        Assert.Equal("ClusterNameAmbiguous", ambiguous.ErrorId);
        Assert.Contains("gke_p_l_prod", ambiguous.Message);
        Assert.Contains("gke_q_l_prod", ambiguous.Message);
        var unknown = Assert.Throws<MeshException>(() => resolver.Resolve("-X", "nope"));
        Assert.Equal("ClusterNameUnknown", unknown.ErrorId);
        Assert.Contains("cn-f-global-onprem", unknown.Message);
    }

}
