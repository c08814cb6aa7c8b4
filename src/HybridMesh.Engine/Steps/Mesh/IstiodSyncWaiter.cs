using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// New-Mesh -Wait: after the secrets are written, ask istiod in every target (/debug/clusterz, one exec per istiod pod
/// per round) until it lists each written link's source as synced from that secret, or the time is up
/// (docs/design/istiod-view.md: a real istiod loads a new secret within about a second).
/// </summary>
public static class IstiodSyncWaiter
{
    public static async Task<IReadOnlyList<MeshLink>> WaitAsync(IReadOnlyList<MeshTarget> targets, IReadOnlyList<MeshLink> links,
        KubeSessionOptions kube, TimeSpan timeout, IMeshSink sink, CancellationToken ct, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(links);
        if (sink.WhatIf)
        {
            // Nothing was written under -WhatIf: there is nothing istiod could have loaded, and nothing to wait for.
            return links;
        }

        var until = DateTime.UtcNow + timeout;
        var current = links.ToArray();
        var round = 0; // istiod that cannot be asked at all (exec refused) ends the wait after a few rounds, not at the timeout
        while (true)
        {
            round++;
            var pending = current.Select((l, i) => (l, i)).Where(x => Written(x.l) && x.l.IstiodSync != MeshLinkSync.Synced).ToArray();
            var contexts = pending.Select(x => x.l.TargetContext).Distinct(StringComparer.Ordinal).ToArray();
            var waiting = contexts.Select(c => targets.First(t => t.Context == c)).ToArray();
            sink.Progress(68, -1, "Waiting for istiod to sync the links", $"round {round}: {pending.Length} link(s) pending", -1, false);
            var views = await BoundedFanOut.RunAsync(waiting, BoundedFanOut.DefaultThrottleLimit, sink, 69, "Reading istiod's view",
                t => t.Context, (t, token) => IstiodView.ReadAsync(t, kube, token), ct).ConfigureAwait(false);
            foreach (var (link, index) in pending)
            {
                var view = views[Array.FindIndex(waiting, t => t.Context == link.TargetContext)];
                current[index] = Judge(links[index], view);
            }

            if (current.All(l => !Written(l) || l.IstiodSync == MeshLinkSync.Synced) || DateTime.UtcNow >= until ||
                (round >= 3 && current.Where(Written).All(l => l.IstiodSync is MeshLinkSync.Synced or MeshLinkSync.Unknown)))
            {
                break;
            }

            await Task.Delay(interval ?? TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }

        sink.Progress(68, -1, "Waiting for istiod to sync the links", "done", 100, true);
        return current;
    }

    private static bool Written(MeshLink l) => l.Outcome != MeshLinkOutcome.Skipped;

    private static MeshLink Judge(MeshLink link, IstiodView? view)
    {
        const string restart = $"kubectl -n {IstioNames.SystemNamespace} rollout restart deployment -l app=istiod";
        if (view is null || !view.Readable)
        {
            var why = view?.Problem ?? view?.Pods.FirstOrDefault(p => p.Problem is not null)?.Problem ?? $"no running istiod pod in '{link.TargetContext}'.";
            return With(link, MeshLinkSync.Unknown, $"istiod could not be asked: {why}");
        }

        var expected = new HashSet<string>([$"{IstioNames.SystemNamespace}/{link.SecretName}"], StringComparer.Ordinal);
        var kinds = view.Pods.Select(p => IstiodSyncChecks.Judge(p, link.Source, expected)).ToArray();
        if (kinds.All(k => k.Kind == IstiodSyncChecks.Kind.Synced))
        {
            return With(link, MeshLinkSync.Synced, null);
        }

        if (kinds.FirstOrDefault(k => k.Kind == IstiodSyncChecks.Kind.Unreachable) is { Text: { } status } && status is "syncing" or "timeout")
        {
            return With(link, MeshLinkSync.Unreachable,
                $"istiod in '{link.TargetContext}' reports '{link.Source}' as {status}: {link.Server} is not reachable from inside '{link.TargetContext}' (VPN/firewall, or -ServerOverride with an address it reaches).");
        }

        var seen = string.Join("; ", kinds.Select(k => k.Text).Distinct(StringComparer.Ordinal));
        return With(link, MeshLinkSync.NotLoaded,
            $"istiod in '{link.TargetContext}' has not loaded {link.SecretName} for '{link.Source}' ({seen}): restart it (New-Mesh -RestartIstiod, or {restart}).");
    }

    private static MeshLink With(MeshLink l, MeshLinkSync sync, string? why) => new()
    {
        Source = l.Source, Target = l.Target, SourceContext = l.SourceContext, TargetContext = l.TargetContext,
        SecretName = l.SecretName, Server = l.Server, Status = l.Status, Outcome = l.Outcome, TokenCreated = l.TokenCreated,
        IstiodSync = sync, Detail = why is null ? l.Detail : l.Detail is null ? why : $"{l.Detail} {why}",
    };
}
