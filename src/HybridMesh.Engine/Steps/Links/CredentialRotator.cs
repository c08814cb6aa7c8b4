using System.Globalization;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>
/// Update-MeshLinkCredential: replaces the reader token of source clusters without a gap (docs/design/link-lifecycle.md).
/// Per source, strictly in this order: create a new token Secret and wait for the token controller; prove the new
/// token from this machine; rewrite every target's remote secret for the source and read each back; only when every
/// target holds the new token, delete the old token Secret(s). A failed target leaves both tokens valid, and a re-run
/// resumes with the same new Secret (it names the Secrets it replaces in an annotation).
/// </summary>
public static class CredentialRotator
{
    private const string Ns = IstioNames.SystemNamespace;

    public static async Task<IReadOnlyList<MeshLinkRotation>> RotateAsync(LinkRotationRequest request, IMeshSink sink,
        CancellationToken ct)
    {
        var members = await LinkCluster.ReadAllAsync(request.Targets, request.Kube, request.ThrottleLimit, sink, ct).ConfigureAwait(false);
        try
        {
            var sources = SelectSources(members, request.Sources, sink);
            var results = await BoundedFanOut.RunAsync(sources, request.ThrottleLimit, sink, 3, "Rotating reader tokens",
                m => m.Context, (source, token) => RotateOneAsync(source, members, request, sink, token), ct)
                .ConfigureAwait(false);
            return results.OfType<MeshLinkRotation>().ToArray();
        }
        finally
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
        }
    }

    private static IReadOnlyList<LinkCluster> SelectSources(IReadOnlyList<LinkCluster> members, IReadOnlyList<string> names, IMeshSink sink)
    {
        if (names.Count == 0)
        {
            return members;
        }

        var chosen = new List<LinkCluster>();
        foreach (var name in names)
        {
            // Context or Istio cluster name first; the short name the views show only when it fits one cluster
            // (docs/design/cluster-names.md).
            var match = members.FirstOrDefault(m => m.Context == name || (m.HasClusterName && m.ClusterName == name));
            if (match is null && members.Count(m => m.Target.Cluster.Name == name) == 1)
            {
                match = members.First(m => m.Target.Cluster.Name == name);
            }

            if (match is null)
            {
                sink.Error(MeshErrors.LinkSourceNotFound(name, members.Select(m => m.Context)));
            }
            else if (!chosen.Contains(match))
            {
                chosen.Add(match);
            }
        }

        return chosen;
    }

    private static async Task<MeshLinkRotation> RotateOneAsync(LinkCluster source, IReadOnlyList<LinkCluster> members,
        LinkRotationRequest request, IMeshSink sink, CancellationToken ct)
    {
        var now = request.Clock.GetUtcNow();
        MeshLinkRotation Result(MeshRotationStatus status, string? detail, ReaderTokenSecret[]? old = null, string? newName = null,
            MeshLinkRotationTarget[]? targets = null, bool deleted = false, TimeSpan? age = null) => new()
        {
            Source = source.ClusterName, SourceContext = source.Context, Status = status, Detail = detail,
            OldTokenSecrets = (old ?? []).Select(o => o.Name).ToArray(), NewTokenSecret = newName,
            Targets = targets ?? [], OldTokenDeleted = deleted, OldTokenAge = age,
        };
        MeshLinkRotation Fail(string reason, MeshErrorCategory category, Exception? inner = null)
        {
            sink.Error(MeshErrors.LinkRotationFailed(source.Context, reason, category, inner));
            return Result(MeshRotationStatus.Failed, reason);
        }

        if (source.Down is { } down)
        {
            return Fail($"it cannot be read ({down}).", source.Error!.Category, source.Error);
        }

        if (!source.HasClusterName)
        {
            return Fail("it has no istiod with a CLUSTER_ID, so the key of its remote secrets is unknown.", MeshErrorCategory.NotInstalled);
        }

        var sourceTokens = source.TokenSecrets ?? [];

        var links = members.Where(m => !ReferenceEquals(m, source))
            .Select(t => (Target: t, Entry: t.Down is null ? LinkSecrets.Current(t.RemoteSecrets, source.ClusterName) : null))
            .ToArray();

        // Resume: a token Secret made by an earlier rotation that still has the Secret(s) it replaces next to it.
        var pending = sourceTokens.FirstOrDefault(t => t.Replaces.Any(n => sourceTokens.Any(o => o.Name == n)));
        ReaderTokenSecret[] old;
        if (pending is not null)
        {
            old = sourceTokens.Where(t => pending.Replaces.Contains(t.Name, StringComparer.Ordinal)).ToArray();
        }
        else
        {
            if (links.All(l => l.Entry is null))
            {
                var why = $"no cluster holds a remote secret for '{source.ClusterName}'; run New-Mesh first.";
                sink.Warning($"'{source.Context}': nothing to rotate: {why}");
                return Result(MeshRotationStatus.Skipped, "Nothing to rotate: " + why);
            }

            var carried = links.Where(l => l.Entry?.Token is not null).Select(l => ReaderTokens.Hash(l.Entry!.Token!)).ToHashSet(StringComparer.Ordinal);
            old = sourceTokens.Where(t => carried.Contains(t.TokenHash)).ToArray();
        }

        var oldest = old.Select(o => o.Created).Where(c => c is not null).Min();
        TimeSpan? age = oldest is { } o ? now - o : null;
        if (pending is null && request.OlderThan is { } threshold && age is { } a && a < threshold)
        {
            sink.Verbose($"[{source.Context}] The reader token is {Days(a)} old, younger than {Days(threshold)}: not rotated.");
            return Result(MeshRotationStatus.Skipped, $"The reader token is {Days(a)} old (threshold {Days(threshold)}).", old, age: age);
        }

        var oldNames = string.Join(", ", old.Select(x => x.Name).DefaultIfEmpty("none"));
        var newName = pending?.Name ?? NewSecretName(now);
        var rewrite = links.Where(l => l.Entry is not null).ToArray();
        if (sink.WhatIf)
        {
            // Every step, in order, and nothing sent but the reads already done.
            if (pending is null)
            {
                sink.ShouldProcess($"Secret {Ns}/{newName} in context '{source.Context}'", "Create a new reader token and wait for the token controller");
            }

            foreach (var (target, entry) in rewrite)
            {
                sink.ShouldProcess($"Secret {Ns}/{entry!.SecretName} in context '{target.Context}' (link {source.ClusterName} -> {target.ClusterName})",
                    "Rewrite with the new reader token, then read it back");
            }

            foreach (var secret in old)
            {
                sink.ShouldProcess($"Secret {Ns}/{secret.Name} in context '{source.Context}'", "Delete the old reader token once every target is verified");
            }

            var planned = links.Select(l => Target(l.Target, l.Entry?.SecretName, l.Entry is null ? MeshRotationStep.Skipped : MeshRotationStep.Planned,
                false, null, l.Entry is null ? "No remote secret for the source here." : null)).ToArray();
            return Result(MeshRotationStatus.Planned, pending is null ? null : $"Would resume the rotation to {pending.Name}.", old, newName, planned, age: age);
        }

        // 1. The new token.
        ReaderCredential credential;
        if (pending is not null)
        {
            sink.Verbose($"[{source.Context}] Resuming the rotation to Secret {Ns}/{pending.Name} (replaces {oldNames}).");
            credential = LinkCluster.CredentialOf(pending.Secret, created: false)!;
        }
        else
        {
            if (!sink.ShouldProcess($"Secret {Ns}/{newName} in context '{source.Context}'", "Create a new reader token"))
            {
                return Result(MeshRotationStatus.Planned, "Declined.", old, newName, age: age);
            }

            var created = false;
            try
            {
                await source.Session!.CreateAsync(RenderTokenSecret(newName, old), cancellationToken: ct).ConfigureAwait(false);
                created = true;
                sink.Verbose($"[{source.Context}] Created Secret {Ns}/{newName}; waiting for its token.");
                credential = await source.WaitForTokenAsync(newName, request.TokenWait, ct).ConfigureAwait(false);
            }
            catch (MeshException error)
            {
                if (created)
                {
                    // No remote secret carries it yet: remove it rather than leave a long-lived token nobody uses.
                    await DeleteQuietlyAsync(source, newName, sink, ct).ConfigureAwait(false);
                }

                return Fail($"the new token Secret {Ns}/{newName} could not be created and filled: {MeshErrors.FirstLine(error.Message)}",
                    error.Category, error);
            }
        }

        // 2. Prove it from this machine before anything carries it (as New-Mesh proves a link).
        var probe = request.Kube with { Sink = request.Kube.Sink ?? sink };
        var (status, detail) = await LinkProbe.ProbeAsync(source.AsProbeSubject(), credential, probe, ct).ConfigureAwait(false);
        if (status != MeshLinkStatus.Connected)
        {
            return Fail($"the new token in {Ns}/{newName} does not work yet ({status}: {detail})",
                status == MeshLinkStatus.Forbidden ? MeshErrorCategory.PermissionDenied : MeshErrorCategory.AuthenticationError);
        }

        // 3. Rewrite and verify every target.
        var newHash = ReaderTokens.Hash(credential.Token);
        var targets = await Task.WhenAll(links.Select(l => RewriteAsync(source, l.Target, l.Entry, credential, newHash, oldNames,
            request, sink, ct))).ConfigureAwait(false);

        // 4. Only now, and only if every target holds the new token (none failed, none declined), revoke the old one.
        if (targets.Any(t => t.Result is MeshRotationStep.Failed or MeshRotationStep.Planned))
        {
            var failed = string.Join(", ", targets.Where(t => t.Result is MeshRotationStep.Failed or MeshRotationStep.Planned)
                .Select(t => $"{t.TargetContext} ({t.Result})"));
            return Result(MeshRotationStatus.Partial,
                $"Not moved: {failed}. Old token Secret(s) {oldNames} kept: the old and the new token are both valid. " +
                "Run Update-MeshLinkCredential again to finish.", old, newName, targets, age: age);
        }

        var deleted = true;
        foreach (var secret in old)
        {
            if (!sink.ShouldProcess($"Secret {Ns}/{secret.Name} in context '{source.Context}'", "Delete the old reader token"))
            {
                deleted = false;
                continue;
            }

            try
            {
                await source.Session!.DeleteAsync("v1", "Secret", Ns, secret.Name, cancellationToken: ct).ConfigureAwait(false);
                sink.Verbose($"[{source.Context}] Deleted the old reader token Secret {Ns}/{secret.Name}; its token is revoked.");
            }
            catch (MeshException error)
            {
                deleted = false;
                sink.Error(MeshErrors.LinkRotationFailed(source.Context,
                    $"every target holds the new token, but the old token Secret {Ns}/{secret.Name} could not be deleted: {MeshErrors.FirstLine(error.Message)}",
                    error.Category, error));
            }
        }

        return deleted
            ? Result(MeshRotationStatus.Rotated, null, old, newName, targets, old.Length > 0, age)
            : Result(MeshRotationStatus.Partial, $"Every target holds the new token; old token Secret(s) {oldNames} not deleted. Run again to finish.",
                old, newName, targets, false, age);
    }

    private static async Task<MeshLinkRotationTarget> RewriteAsync(LinkCluster source, LinkCluster target, LinkSecretEntry? entry,
        ReaderCredential credential, string newHash, string oldNames, LinkRotationRequest request, IMeshSink sink, CancellationToken ct)
    {
        var link = $"{source.ClusterName} -> {target.ClusterName}";
        MeshLinkRotationTarget Failed(string reason, Exception? inner)
        {
            sink.Error(MeshErrors.LinkRotationTargetFailed(link, target.Context, reason, oldNames, inner));
            return Target(target, entry?.SecretName, MeshRotationStep.Failed, false, null, reason);
        }

        if (target.Down is { } down)
        {
            return Failed($"'{target.Context}' cannot be read ({down}).", target.Error);
        }

        if (entry is null)
        {
            sink.Warning($"Link {link}: '{target.Context}' holds no remote secret for '{source.ClusterName}'; not created here (run New-Mesh).");
            return Target(target, null, MeshRotationStep.Skipped, false, null, "No remote secret for the source here; run New-Mesh to create it.");
        }

        var sync = (string?)null;
        try
        {
            var step = MeshRotationStep.Unchanged;
            if (entry.Token is null || ReaderTokens.Hash(entry.Token) != newHash)
            {
                // Same server and tls-server-name as before: only the credential changes (and the CA, from the new token Secret).
                var rendered = RemoteSecretRenderer.Render(new RemoteSecretSource(source.ClusterName, entry.Server,
                    credential.CertificateAuthority, credential.Token) { Namespace = Ns, TlsServerName = entry.TlsServerName });
                rendered["metadata"]!["name"] = entry.SecretName;
                if (!sink.ShouldProcess($"Secret {Ns}/{entry.SecretName} in context '{target.Context}' (link {link})",
                        "Rewrite with the new reader token"))
                {
                    return Target(target, entry.SecretName, MeshRotationStep.Planned, false, null, "Declined.");
                }

                await target.Session!.ApplyBlindAsync(rendered, force: true, ct).ConfigureAwait(false);
                sink.Verbose($"[{target.Context}] Rewrote Secret {Ns}/{entry.SecretName} with the new reader token of '{source.ClusterName}'.");
                step = MeshRotationStep.Updated;
            }

            // Verify: what the target stores now is what istiod there will load.
            var live = await target.Session!.GetAsync("v1", "Secret", Ns, entry.SecretName, ct).ConfigureAwait(false);
            var stored = live is null ? null : LinkSecrets.Read(live).FirstOrDefault(e => e.Key == source.ClusterName);
            if (stored?.Token is null || ReaderTokens.Hash(stored.Token) != newHash)
            {
                return Failed($"reading Secret {Ns}/{entry.SecretName} back does not show the new token.", null);
            }

            // Where istiod's view is readable it is the proof: every istiod pod lists the source synced from this
            // secret (bounded wait). Elsewhere the workstation proof stands: the new token answered the source's API
            // server and the secret reads back with it (docs/design/link-lifecycle.md).
            if (request.SyncReader is not null)
            {
                var (view, everReadable) = await WaitForIstiodAsync(request.SyncReader, target.Target, source.ClusterName,
                    entry.SecretName, request.SyncWait, ct).ConfigureAwait(false);
                if (everReadable)
                {
                    if (!view.Synced)
                    {
                        sink.Error(MeshErrors.LinkRotationNotSynced(link, target.Context, $"{Ns}/{entry.SecretName}", view.Status,
                            request.SyncWait, oldNames));
                        return Target(target, entry.SecretName, MeshRotationStep.Failed, false, view.Status,
                            $"istiod does not list '{source.ClusterName}' as synced from {Ns}/{entry.SecretName}: {view.Status}", MeshLinkProof.Istiod);
                    }

                    return Target(target, entry.SecretName, step, true, view.Status, null, MeshLinkProof.Istiod);
                }

                sync = view.Status;
                sink.Verbose($"[{target.Context}] istiod's view is not readable ({view.Status}); the workstation proof verifies link {link}.");
            }

            return Target(target, entry.SecretName, step, true, sync, null, MeshLinkProof.Workstation);
        }
        catch (MeshException error)
        {
            return Failed(MeshErrors.FirstLine(error.Message), error);
        }
    }

    private static async Task DeleteQuietlyAsync(LinkCluster source, string name, IMeshSink sink, CancellationToken ct)
    {
        try
        {
            await source.Session!.DeleteAsync("v1", "Secret", Ns, name, cancellationToken: ct).ConfigureAwait(false);
            sink.Verbose($"[{source.Context}] Deleted the unused new token Secret {Ns}/{name}.");
        }
        catch (MeshException error)
        {
            sink.Warning($"[{source.Context}] The unused new token Secret {Ns}/{name} could not be deleted ({MeshErrors.FirstLine(error.Message)}); delete it by hand.");
        }
    }

    private static MeshLinkRotationTarget Target(LinkCluster target, string? secret, MeshRotationStep step, bool verified,
        string? sync, string? detail, MeshLinkProof proof = MeshLinkProof.None) => new()
    {
        Target = target.ClusterName, TargetContext = target.Context, SecretName = secret, Result = step,
        Verified = verified, SyncStatus = sync, Detail = detail, Proof = proof,
    };

    /// <summary>
    /// Polls istiod's view (backoff 100 ms → 1 s) until every pod lists the source synced from <paramref name="secret"/>
    /// or <paramref name="wait"/> passes; a real istiod reloads a changed secret within about a second
    /// (docs/design/istiod-view.md). Stops at once when the first read is not readable (no exec here).
    /// </summary>
    private static async Task<(LinkSyncView View, bool EverReadable)> WaitForIstiodAsync(ILinkSyncReader reader, MeshTarget target,
        string source, string secret, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        var everReadable = false;
        for (var delay = 100; ; delay = Math.Min(1000, delay * 2))
        {
            var view = await reader.ReadAsync(target, source, secret, ct).ConfigureAwait(false);
            everReadable |= view.Readable;
            if (view.Synced || !everReadable || DateTime.UtcNow >= deadline)
            {
                return (view, everReadable);
            }

            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A token Secret like New-Mesh's, plus the annotation naming what it replaces (for resuming and for New-Mesh).</summary>
    private static JsonObject RenderTokenSecret(string name, IReadOnlyList<ReaderTokenSecret> old)
    {
        var secret = IstioReaderRenderer.RenderTokenSecret(Ns);
        secret["metadata"]!["name"] = name;
        var annotations = (JsonObject)secret["metadata"]!["annotations"]!;
        annotations[ReaderTokens.ReplacesAnnotation] = old.Count == 0 ? "-" : string.Join(",", old.Select(o => o.Name));
        return secret;
    }

    /// <summary>Unique and sortable: the reader token Secret name plus the UTC time and a random suffix.</summary>
    private static string NewSecretName(DateTimeOffset now) =>
        $"{IstioReaderRenderer.ServiceAccountName}-token-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-" +
        Guid.NewGuid().ToString("N")[..4];

    private static string Days(TimeSpan span) => span.TotalDays >= 1
        ? $"{span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days"
        : $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours";
}
