using System.Net;
using HybridMesh.Engine.Steps.Links;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Lab.Faults;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Links;

/// <summary>Update-MeshLinkCredential against the lab: gap-free rotation, partial failure and resume, -WhatIf, thresholds.</summary>
public sealed class LinkRotationTests
{
    private const string FixedToken = "istio-reader-service-account-istio-remote-secret-token";

    [Fact]
    public async Task Rotating_one_source_of_three_moves_every_link_and_revokes_the_old_token()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await LinkTestKit.NewMeshAsync(lab);
        var source = lab.Clusters[0];
        var oldToken = lab.ReaderToken(source)!;
        var othersBefore = lab.Clusters.Skip(1).Select(c => lab.ReaderToken(c)).ToArray();

        var sink = new RecordingSink();
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, source.Context), sink, default));

        Assert.Empty(sink.Errors);
        Assert.Equal(MeshRotationStatus.Rotated, rotation.Status);
        Assert.Equal([FixedToken], rotation.OldTokenSecrets);
        Assert.True(rotation.OldTokenDeleted);
        Assert.Equal(2, rotation.Targets.Length);
        Assert.All(rotation.Targets, t => Assert.Equal(MeshRotationStep.Updated, t.Result));
        Assert.All(rotation.Targets, t => Assert.True(t.Verified));

        // The old token is revoked (its Secret is gone): 401. The new one is accepted.
        Assert.Null(source.GetObject("v1", "Secret", "istio-system", FixedToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await LinkTestKit.ListServicesAs(source, oldToken));
        var newToken = LinkTestKit.Token(source, rotation.NewTokenSecret!)!;
        Assert.NotEqual(oldToken, newToken);
        Assert.Equal(HttpStatusCode.OK, await LinkTestKit.ListServicesAs(source, newToken));

        // Every link is Connected, and New-Mesh recognises the rotated state: nothing to change.
        var sinkAfter = new RecordingSink();
        var mesh = (await MeshCreator.NewMeshAsync(lab.Request(), sinkAfter, default)).Mesh!;
        Assert.Empty(sinkAfter.Errors);
        Assert.Equal(6, mesh.Links.Length);
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkStatus.Connected, l.Status));
        Assert.All(mesh.Links, l => Assert.Equal(MeshLinkOutcome.Unchanged, l.Outcome));
        Assert.All(mesh.Links, l => Assert.False(l.TokenCreated));
        Assert.Equal(othersBefore, lab.Clusters.Skip(1).Select(c => lab.ReaderToken(c)).ToArray());

        var links = await LinkInventory.GetAsync(LinkTestKit.Inventory(lab), new RecordingSink(), default);
        Assert.All(links, l => Assert.Equal(MeshLinkState.Linked, l.State));
        Assert.All(links.Where(l => l.SourceContext == source.Context), l => Assert.Equal(rotation.NewTokenSecret, l.TokenSecret));

        // No token in anything the run said.
        Assert.DoesNotContain(oldToken, sink.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(newToken, sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_target_keeps_the_old_token_and_a_rerun_completes()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await LinkTestKit.NewMeshAsync(lab);
        var (source, good, bad) = (lab.Clusters[0], lab.Clusters[1], lab.Clusters[2]);
        var oldToken = lab.ReaderToken(source)!;
        var secretPath = "/secrets/istio-remote-secret-" + source.ClusterId;
        bad.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 500, Method = "PATCH", PathContains = secretPath });

        var sink = new RecordingSink();
        var first = Assert.Single(await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, source.Context), sink, default));
        Assert.Equal(MeshRotationStatus.Partial, first.Status);
        Assert.False(first.OldTokenDeleted);
        Assert.Equal(MeshRotationStep.Updated, Assert.Single(first.Targets, t => t.TargetContext == good.Context).Result);
        var failed = Assert.Single(first.Targets, t => t.TargetContext == bad.Context);
        Assert.Equal(MeshRotationStep.Failed, failed.Result);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("LinkRotationTargetFailed", error.ErrorId);
        Assert.Contains(bad.Context, error.Message);
        Assert.Contains("both valid", error.Message);

        // The state left: both tokens valid, every link still works (the bad target still carries the old token).
        Assert.NotNull(source.GetObject("v1", "Secret", "istio-system", FixedToken));
        var newToken = LinkTestKit.Token(source, first.NewTokenSecret!)!;
        Assert.Equal(HttpStatusCode.OK, await LinkTestKit.ListServicesAs(source, oldToken));
        Assert.Equal(HttpStatusCode.OK, await LinkTestKit.ListServicesAs(source, newToken));
        var links = await LinkInventory.GetAsync(LinkTestKit.Inventory(lab), new RecordingSink(), default);
        Assert.All(links, l => Assert.Equal(MeshLinkState.Linked, l.State));

        // Re-run once the target is healthy again: same new token, the rest moved, then the old token revoked.
        bad.ClearFaults();
        var sinkAgain = new RecordingSink();
        var second = Assert.Single(await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, source.Context), sinkAgain, default));
        Assert.Empty(sinkAgain.Errors);
        Assert.Equal(MeshRotationStatus.Rotated, second.Status);
        Assert.Equal(first.NewTokenSecret, second.NewTokenSecret);
        Assert.Equal(MeshRotationStep.Unchanged, Assert.Single(second.Targets, t => t.TargetContext == good.Context).Result);
        Assert.Equal(MeshRotationStep.Updated, Assert.Single(second.Targets, t => t.TargetContext == bad.Context).Result);
        Assert.True(second.OldTokenDeleted);
        Assert.Equal(HttpStatusCode.Unauthorized, await LinkTestKit.ListServicesAs(source, oldToken));
        Assert.Equal(HttpStatusCode.OK, await LinkTestKit.ListServicesAs(source, newToken));
        Assert.Equal(2, lab.Clusters.Count(c => c != source && lab.RemoteSecrets(c).Count == 2));
    }

    [Fact]
    public async Task A_failed_token_proof_rewrites_nothing()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var source = lab.Clusters[0];
        var before = lab.Clusters[1].Revision;
        // The proof of the new token (its access review) keeps failing: nothing may carry that token.
        source.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 500, Method = "POST", PathContains = "selfsubjectaccessreviews" });

        var sink = new RecordingSink();
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, source.Context), sink, default));
        Assert.Equal(MeshRotationStatus.Failed, rotation.Status);
        Assert.Equal("LinkRotationFailed", Assert.Single(sink.Errors).ErrorId);
        Assert.Equal(before, lab.Clusters[1].Revision);
        Assert.NotNull(source.GetObject("v1", "Secret", "istio-system", FixedToken));
    }

    [Fact]
    public async Task A_token_that_is_never_issued_changes_nothing_and_leaves_no_secret()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var source = lab.Clusters[0];
        var before = lab.Clusters[1].Revision;
        source.Runtime.TokenControllerDelay = TimeSpan.FromSeconds(30);

        var sink = new RecordingSink();
        var request = LinkTestKit.Rotation(lab, source.Context);
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(new LinkRotationRequest
        {
            Targets = request.Targets, Sources = request.Sources, Kube = request.Kube, TokenWait = TimeSpan.FromMilliseconds(300),
        }, sink, default));

        Assert.Equal(MeshRotationStatus.Failed, rotation.Status);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("LinkRotationFailed", error.ErrorId);
        Assert.Equal(MeshErrorCategory.OperationTimeout, error.Category);
        Assert.Equal(before, lab.Clusters[1].Revision);
        var tokens = source.ListObjects("v1", "Secret", "istio-system").Where(ReaderIdentity.IsReaderToken).ToArray();
        Assert.Equal(FixedToken, Assert.Single(tokens)["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task WhatIf_lists_every_step_and_sends_only_gets()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await LinkTestKit.NewMeshAsync(lab);
        foreach (var cluster in lab.Clusters) cluster.RequestLog.Clear();
        var source = lab.Clusters[0];

        var sink = RecordingSink.Declining();
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(
            LinkTestKit.Rotation(lab, [source.ClusterId], null, null), sink, default));

        Assert.Empty(sink.Errors);
        Assert.Equal(MeshRotationStatus.Planned, rotation.Status);
        Assert.All(rotation.Targets, t => Assert.Equal(MeshRotationStep.Planned, t.Result));
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
        var steps = sink.Proposed.ToArray();
        Assert.Equal(4, steps.Length);
        Assert.StartsWith("Create a new reader token", steps[0], StringComparison.Ordinal);
        Assert.Equal(2, steps.Count(s => s.StartsWith("Rewrite with the new reader token", StringComparison.Ordinal)));
        Assert.StartsWith("Delete the old reader token", steps[3], StringComparison.Ordinal);
        Assert.Contains(FixedToken, steps[3]);
        Assert.Single(source.ListObjects("v1", "Secret", "istio-system"), ReaderIdentity.IsReaderToken);
    }

    [Fact]
    public async Task A_declined_target_keeps_the_old_token()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await LinkTestKit.NewMeshAsync(lab);
        var source = lab.Clusters[0];
        var declined = lab.Clusters[2];
        var oldToken = lab.ReaderToken(source)!;

        // -Confirm answered "no" for one target's rewrite, "yes" for everything else.
        var sink = RecordingSink.DecliningWhere((target, _) => target.Contains($"context \'{declined.Context}\'", StringComparison.Ordinal));
        var rotation = Assert.Single(await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, source.Context), sink, default));
        Assert.Equal(MeshRotationStatus.Partial, rotation.Status);
        Assert.False(rotation.OldTokenDeleted);
        Assert.Equal(MeshRotationStep.Planned, Assert.Single(rotation.Targets, t => t.TargetContext == declined.Context).Result);
        Assert.Equal(HttpStatusCode.OK, await LinkTestKit.ListServicesAs(source, oldToken));
        Assert.DoesNotContain(sink.Proposed, p => p.StartsWith("Delete the old reader token", StringComparison.Ordinal));
    }


    [Fact]
    public async Task OlderThan_rotates_only_old_tokens()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var young = await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, [], TimeSpan.FromDays(30), null), new RecordingSink(), default);
        Assert.All(young, r => Assert.Equal(MeshRotationStatus.Skipped, r.Status));
        Assert.All(young, r => Assert.Contains("threshold 30 days", r.Detail));
        Assert.All(lab.Clusters, c => Assert.NotNull(c.GetObject("v1", "Secret", "istio-system", FixedToken)));

        // Forty days later the same nightly call rotates both.
        var later = new ShiftedClock(TimeSpan.FromDays(40));
        var old = await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, [], TimeSpan.FromDays(30), later), new RecordingSink(), default);
        Assert.Equal(2, old.Count);
        Assert.All(old, r => Assert.Equal(MeshRotationStatus.Rotated, r.Status));
        Assert.All(old, r => Assert.True(r.OldTokenAge > TimeSpan.FromDays(39)));
        Assert.All(lab.Clusters, c => Assert.Null(c.GetObject("v1", "Secret", "istio-system", FixedToken)));
    }

    [Fact]
    public async Task An_unknown_source_is_reported()
    {
        await using var lab = await MeshLab.StartAsync(2);
        var sink = new RecordingSink();
        var result = await CredentialRotator.RotateAsync(LinkTestKit.Rotation(lab, "no-such-cluster"), sink, default);
        Assert.Empty(result);
        Assert.Equal("LinkSourceNotFound", Assert.Single(sink.Errors).ErrorId);
    }
}
