using System.Net;
using HybridMesh.Engine.Steps.Links;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Lab;
using HybridMesh.Lab.Faults;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Links;

/// <summary>
/// The link tools on top of istiod's own view (/debug/clusterz over exec): Get-MeshLink's SyncStatus per link, and a
/// rotation verified through istiod where it is readable, through the workstation proof where it is not.
/// </summary>
public sealed class LinkSyncTests
{
    private const string FixedToken = "istio-reader-service-account-istio-remote-secret-token";

    private static LinkInventoryRequest Inventory(MeshLab lab, ILinkSyncReader reader) =>
        new() { Targets = lab.Request().Targets, Kube = lab.Request().Kube, SyncReader = reader };

    private static LinkRotationRequest Rotation(MeshLab lab, LabCluster source, TimeSpan? syncWait = null)
    {
        var basic = LinkTestKit.Rotation(lab, source.Context);
        return new LinkRotationRequest
        {
            Targets = basic.Targets, Sources = basic.Sources, Kube = basic.Kube,
            SyncReader = new IstiodLinkSyncReader(basic.Kube, cache: false), SyncWait = syncWait ?? TimeSpan.FromSeconds(10),
        };
    }

    [Fact]
    public async Task Inventory_on_a_mesh_traffic_lab_shows_every_link_synced_with_one_read_per_target()
    {
        await using var lab = await MeshLab.StartAsync(3, meshTraffic: true);
        await LinkTestKit.NewMeshAsync(lab);
        var answeredBefore = lab.Clusters.Select(c => lab.Lab.Istiod(c).Answered).ToArray();
        var reader = new IstiodLinkSyncReader(lab.Request().Kube, cache: true);

        var sink = new RecordingSink();
        var links = await LinkInventory.GetAsync(Inventory(lab, reader), sink, default);

        Assert.Empty(sink.Errors);
        Assert.Equal(6, links.Count);
        Assert.All(links, l => Assert.Equal(MeshLinkState.Linked, l.State));
        Assert.All(links, l => Assert.Equal("synced", l.SyncStatus));
        // One istiod pod per cluster: one exec per target cluster, shared by both sources.
        Assert.Equal(3, reader.Reads);
        Assert.Equal(answeredBefore.Select(a => a + 1), lab.Clusters.Select(c => lab.Lab.Istiod(c).Answered));
    }

    [Fact]
    public async Task Istiod_timeout_and_stale_snapshot_show_on_their_link_only()
    {
        await using var lab = await MeshLab.StartAsync(3, meshTraffic: true);
        await LinkTestKit.NewMeshAsync(lab);
        var (c1, c2, c3) = (lab.Clusters[0], lab.Clusters[1], lab.Clusters[2]);
        // istiod in c1 cannot reach c2's API server; istiod in c3 keeps an old snapshot after c1's secret is replaced.
        lab.Lab.Istiod(c1).ForceTimeout(c2.ClusterId);
        await lab.Lab.Istiod(c3).FreezeSnapshotAsync();
        var old = lab.RemoteSecrets(c3).Single(s => s["data"]!.AsObject().ContainsKey(c1.ClusterId));
        var oldName = old["metadata"]!["name"]!.GetValue<string>();
        var replacement = old.DeepClone().AsObject();
        replacement["metadata"]!["name"] = "istio-remote-secret-replaced";
        replacement["metadata"]!.AsObject().Remove("resourceVersion");
        replacement["metadata"]!.AsObject().Remove("uid");
        c3.PutObject(replacement);
        c3.DeleteObject("v1", "Secret", "istio-system", oldName);

        var sink = new RecordingSink();
        var links = await LinkInventory.GetAsync(Inventory(lab, new IstiodLinkSyncReader(lab.Request().Kube, cache: true)), sink, default);

        Assert.Empty(sink.Errors);
        string Sync(LabCluster s, LabCluster t) => links.Single(l => l.Source == s.ClusterId && l.Target == t.ClusterId).SyncStatus!;
        Assert.Equal("timeout", Sync(c2, c1));
        Assert.Equal($"synced from istio-system/{oldName}, not istio-system/istio-remote-secret-replaced", Sync(c1, c3));
        Assert.Equal(4, links.Count(l => l.SyncStatus == "synced"));
    }

    [Fact]
    public async Task Without_istiods_exec_sync_status_says_why_and_the_cmdlet_does_not_fail()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);

        var sink = new RecordingSink();
        var links = await LinkInventory.GetAsync(Inventory(lab, new IstiodLinkSyncReader(lab.Request().Kube, cache: true)), sink, default);

        Assert.Empty(sink.Errors);
        Assert.Equal(2, links.Count);
        Assert.All(links, l => Assert.Equal(MeshLinkState.Linked, l.State));
        Assert.All(links, l => Assert.StartsWith("Unknown: ", l.SyncStatus));
    }

    [Fact]
    public async Task Forbidden_exec_on_one_target_names_the_missing_right_on_that_targets_links_only()
    {
        await using var lab = await MeshLab.StartAsync(3, meshTraffic: true);
        await LinkTestKit.NewMeshAsync(lab);
        var denied = lab.Clusters[1];
        denied.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 403, PathContains = "/exec" });
        // Exec alone forbidden is read through pods/proxy to :15014 instead (docs/design/in-cluster-probes.md): deny both.
        denied.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 403, PathContains = "/proxy/" });

        var sink = new RecordingSink();
        var links = await LinkInventory.GetAsync(Inventory(lab, new IstiodLinkSyncReader(lab.Request().Kube, cache: true)), sink, default);

        Assert.Empty(sink.Errors);
        Assert.All(links, l => Assert.Equal(MeshLinkState.Linked, l.State));
        var into = links.Where(l => l.TargetContext == denied.Context).ToArray();
        Assert.Equal(2, into.Length);
        Assert.All(into, l => Assert.StartsWith("Unknown: ", l.SyncStatus));
        Assert.All(into, l => Assert.Contains("403 on pods/exec", l.SyncStatus));
        Assert.All(into, l => Assert.Contains("pods/proxy is forbidden too", l.SyncStatus));
        Assert.All(links.Except(into), l => Assert.Equal("synced", l.SyncStatus));
    }

    [Fact]
    public async Task A_rotation_verifies_every_target_through_istiod()
    {
        await using var lab = await MeshLab.StartAsync(3, meshTraffic: true);
        await LinkTestKit.NewMeshAsync(lab);
        var source = lab.Clusters[0];
        var oldToken = lab.ReaderToken(source)!;
        var answeredBefore = lab.Clusters.Skip(1).Select(c => lab.Lab.Istiod(c).Answered).ToArray();

        var sink = new RecordingSink();
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(Rotation(lab, source), sink, default));

        Assert.Empty(sink.Errors);
        Assert.Equal(MeshRotationStatus.Rotated, rotation.Status);
        Assert.True(rotation.OldTokenDeleted);
        Assert.Equal(2, rotation.Targets.Length);
        Assert.All(rotation.Targets, t => Assert.Equal(MeshLinkProof.Istiod, t.Proof));
        Assert.All(rotation.Targets, t => Assert.Equal("synced", t.SyncStatus));
        Assert.All(rotation.Targets, t => Assert.True(t.Verified));
        // Each target's istiod was really asked (the lab counts its execs).
        Assert.All(lab.Clusters.Skip(1).Select((c, i) => lab.Lab.Istiod(c).Answered - answeredBefore[i]), n => Assert.True(n >= 1));
        Assert.Equal(HttpStatusCode.Unauthorized, await LinkTestKit.ListServicesAs(source, oldToken));

        // istiod in every target runs the link with the new token: synced after the old one is revoked.
        var links = await LinkInventory.GetAsync(Inventory(lab, new IstiodLinkSyncReader(lab.Request().Kube, cache: true)), new RecordingSink(), default);
        Assert.All(links, l => Assert.Equal("synced", l.SyncStatus));
        Assert.All(links.Where(l => l.SourceContext == source.Context), l => Assert.Equal(rotation.NewTokenSecret, l.TokenSecret));
    }

    [Fact]
    public async Task A_target_whose_istiod_does_not_sync_keeps_the_old_token_and_a_rerun_completes()
    {
        await using var lab = await MeshLab.StartAsync(3, meshTraffic: true);
        await LinkTestKit.NewMeshAsync(lab);
        var (source, good, bad) = (lab.Clusters[0], lab.Clusters[1], lab.Clusters[2]);
        var oldToken = lab.ReaderToken(source)!;
        lab.Lab.Istiod(bad).ForceTimeout(source.ClusterId);

        var sink = new RecordingSink();
        var first = Assert.Single(await CredentialRotator.RotateAsync(Rotation(lab, source, TimeSpan.FromSeconds(1)), sink, default));

        Assert.Equal(MeshRotationStatus.Partial, first.Status);
        Assert.False(first.OldTokenDeleted);
        var ok = Assert.Single(first.Targets, t => t.TargetContext == good.Context);
        Assert.Equal((MeshRotationStep.Updated, MeshLinkProof.Istiod, "synced"), (ok.Result, ok.Proof, ok.SyncStatus));
        var failed = Assert.Single(first.Targets, t => t.TargetContext == bad.Context);
        Assert.Equal((MeshRotationStep.Failed, MeshLinkProof.Istiod, "timeout"), (failed.Result, failed.Proof, failed.SyncStatus));
        var error = Assert.Single(sink.Errors);
        Assert.Equal("LinkRotationNotSynced", error.ErrorId);
        Assert.Equal(MeshErrorCategory.OperationTimeout, error.Category);
        Assert.Contains(bad.Context, error.Message);
        Assert.Contains("timeout", error.Message);
        Assert.Contains("-SkipIstiodView", error.RecommendedAction);
        // The old token Secret is kept and still accepted.
        Assert.NotNull(source.GetObject("v1", "Secret", "istio-system", FixedToken));
        Assert.Equal(HttpStatusCode.OK, await LinkTestKit.ListServicesAs(source, oldToken));
        Assert.DoesNotContain(oldToken, sink.AllText, StringComparison.Ordinal);

        lab.Lab.ClearMeshFaults();
        var sinkAgain = new RecordingSink();
        var second = Assert.Single(await CredentialRotator.RotateAsync(Rotation(lab, source), sinkAgain, default));
        Assert.Empty(sinkAgain.Errors);
        Assert.Equal(MeshRotationStatus.Rotated, second.Status);
        Assert.Equal(first.NewTokenSecret, second.NewTokenSecret);
        Assert.All(second.Targets, t => Assert.Equal(MeshLinkProof.Istiod, t.Proof));
        Assert.Equal(HttpStatusCode.Unauthorized, await LinkTestKit.ListServicesAs(source, oldToken));
    }

    [Fact]
    public async Task Where_istiod_cannot_be_asked_a_rotation_falls_back_to_the_workstation_proof()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var source = lab.Clusters[0];

        var sink = new RecordingSink();
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(Rotation(lab, source), sink, default));

        Assert.Empty(sink.Errors);
        Assert.Equal(MeshRotationStatus.Rotated, rotation.Status);
        var target = Assert.Single(rotation.Targets);
        Assert.Equal(MeshLinkProof.Workstation, target.Proof);
        Assert.True(target.Verified);
        Assert.StartsWith("Unknown: ", target.SyncStatus);
        Assert.Contains(sink.Messages, m => m.Contains("the workstation proof verifies link", StringComparison.Ordinal));
    }
}
