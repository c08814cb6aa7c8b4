using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>
/// Get-MeshLink: one MeshLinkInfo per ordered pair (S, T) from what is live — the remote secret for S in T, the
/// reader token it carries matched against S's token Secrets, istiod's sync status when readable — plus one per
/// stale secret. Reads only (GET): per cluster its facts, its remote secrets and the Secrets of istio-system.
/// </summary>
public static class LinkInventory
{
    private const string Ns = IstioNames.SystemNamespace;

    public static async Task<IReadOnlyList<MeshLinkInfo>> GetAsync(LinkInventoryRequest request, IMeshSink sink, CancellationToken ct)
    {
        var clusters = await LinkCluster.ReadAllAsync(request.Targets, request.Kube, request.ThrottleLimit, sink, ct).ConfigureAwait(false);
        try
        {
            var now = request.Clock.GetUtcNow();
            var pairs = (from s in clusters from t in clusters where !ReferenceEquals(s, t) select (s, t)).ToArray();
            var results = await BoundedFanOut.RunAsync(pairs, request.ThrottleLimit, sink, 2, "Reading links",
                p => $"{p.s.ClusterName} -> {p.t.ClusterName}",
                (p, token) => DescribeAsync(p.s, p.t, request.SyncReader, now, sink, token), ct).ConfigureAwait(false);
            return results.SelectMany(r => r ?? []).ToArray();
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                cluster.Dispose();
            }
        }
    }

    private static async Task<IReadOnlyList<MeshLinkInfo>> DescribeAsync(LinkCluster source, LinkCluster target,
        ILinkSyncReader? syncReader, DateTimeOffset now, IMeshSink sink, CancellationToken ct)
    {
        MeshLinkInfo Bare(MeshLinkState state, string detail) => new()
        {
            Source = source.ClusterName, Target = target.ClusterName, SourceContext = source.Context,
            TargetContext = target.Context, State = state, Detail = detail,
        };

        if (target.Down is { } targetDown)
        {
            return [Bare(MeshLinkState.Unreachable, $"'{target.Context}' cannot be read: {targetDown}")];
        }

        if (!source.HasClusterName)
        {
            return [Bare(source.Down is null ? MeshLinkState.Unverified : MeshLinkState.Unreachable, source.Down is { } why
                ? $"'{source.Context}' cannot be read, so its Istio cluster name (the secret's key) is unknown: {why}"
                : $"'{source.Context}' has no istiod with a CLUSTER_ID, so the key its remote secret needs is unknown.")];
        }

        var current = LinkSecrets.Current(target.RemoteSecrets, source.ClusterName);
        var stale = LinkSecrets.Stale(target.RemoteSecrets, source.ClusterName, current, [source.Target.Cluster.Server])
            .Select(e => Describe(source, target, e, MeshLinkState.Stale,
                $"Secret {e.SecretName} also serves '{source.ClusterName}' (key '{e.Key}'); istiod loads a cluster once and may " +
                "use this one. Remove it: New-Mesh -RemoveStale.", source.TokenSecrets, now, null)).ToList();
        if (current is null)
        {
            return [Bare(MeshLinkState.Missing, $"'{target.ClusterName}' holds no remote secret keyed '{source.ClusterName}': " +
                                                $"its istiod does not see '{source.ClusterName}'. Run New-Mesh with both clusters."), .. stale];
        }

        string? sync = null;
        if (syncReader is not null)
        {
            // istiod's view is a bonus: an unreadable one says why in SyncStatus and the workstation view stands.
            var view = await syncReader.ReadAsync(target.Target, source.ClusterName, current.SecretName, ct).ConfigureAwait(false);
            sync = view.Status;
            if (!view.Readable)
            {
                sink.Verbose($"[{target.Context}] istiod's sync status for '{source.ClusterName}' is not readable: {view.Status}");
            }
        }

        return [Describe(source, target, current, null, null, source.TokenSecrets, now, sync), .. stale];
    }

    private static MeshLinkInfo Describe(LinkCluster source, LinkCluster target, LinkSecretEntry entry, MeshLinkState? forced,
        string? forcedDetail, IReadOnlyList<ReaderTokenSecret>? sourceTokens, DateTimeOffset now, string? sync)
    {
        var (lastWrite, manager) = ReaderTokens.LastWrite(entry.Secret);
        var claims = ReaderTokens.Claims(entry.Token);
        var kind = entry.Token is null ? MeshTokenKind.None : ReaderTokens.Kind(claims);
        var hash = entry.Token is null ? null : ReaderTokens.Hash(entry.Token);
        var stored = hash is null ? null : sourceTokens?.FirstOrDefault(t => t.TokenHash == hash);
        if (stored is not null && kind == MeshTokenKind.Unknown)
        {
            kind = MeshTokenKind.LegacySecret;
        }

        var created = stored?.Created ?? ReaderTokens.Epoch(claims?["iat"]);
        var expires = ReaderTokens.Epoch(claims?["exp"]);
        var (state, detail) = forced is { } f ? (f, forcedDetail)
            : entry.Token is null ? (MeshLinkState.Unverified, "The kubeconfig holds no bearer token (client certificate or exec plugin).")
            : kind == MeshTokenKind.BoundTokenRequest && expires <= now
                ? (MeshLinkState.TokenExpired, $"The bound token expired at {expires:u}; re-link with New-Mesh (it writes a long-lived reader token).")
            : stored is not null || kind == MeshTokenKind.BoundTokenRequest ? (MeshLinkState.Linked, (string?)null)
            : sourceTokens is null ? (MeshLinkState.Unverified, $"Secrets in {Ns} of '{source.Context}' are not readable; the token is not matched.")
            : (MeshLinkState.TokenRevoked, $"No reader token Secret in '{source.ClusterName}' holds this token any more (deleted or rotated): " +
                                           $"'{source.ClusterName}' answers it with 401. Run Update-MeshLinkCredential -Source '{source.Context}' or New-Mesh.");
        return new MeshLinkInfo
        {
            Source = source.ClusterName,
            Target = target.ClusterName,
            SourceContext = source.Context,
            TargetContext = target.Context,
            State = state,
            SecretName = entry.SecretName,
            SecretKey = entry.Key,
            Server = MeshErrors.RedactUserInfo(entry.Server),
            CaFingerprint = entry.CaFingerprint,
            SecretLastWrite = lastWrite,
            SecretFieldManager = manager,
            ServiceAccount = ReaderTokens.ServiceAccount(claims),
            TokenSecret = stored?.Name ?? ClusterCheckText(claims?["kubernetes.io/serviceaccount/secret.name"]),
            TokenKind = kind,
            TokenCreated = created,
            TokenAge = created is { } c ? now - c : null,
            TokenExpires = expires,
            TokenFingerprint = entry.Token is null ? null : ReaderTokens.Fingerprint(entry.Token),
            SyncStatus = sync,
            Detail = detail,
        };
    }

    private static string? ClusterCheckText(JsonNode? node) => Check.ClusterSnapshot.Text(node);
}
