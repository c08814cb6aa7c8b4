using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>The names of the checks on istiod's own view (docs/design/istiod-view.md).</summary>
internal static class IstiodCheckNames
{
    /// <summary>Per cluster: istiod's /debug/clusterz could be read from every istiod pod and lists no cluster foreign to the mesh.</summary>
    public const string IstiodRemoteClusters = "IstiodRemoteClusters";

    /// <summary>Per ordered link T → S: every istiod pod in T lists S as synced, loaded from T's remote secret for S.</summary>
    public const string RemoteClusterSync = "RemoteClusterSync";
}

/// <summary>
/// Compares what istiod reports (/debug/clusterz, <see cref="IstiodView"/>) with the links the mesh should have:
/// the remote secrets that T holds and the cluster ids of the mesh (docs/design/istiod-view.md). Only istiod can
/// prove that a secret was loaded and that its server is reachable from inside T; every other check runs on this
/// machine.
/// </summary>
internal static class IstiodSyncChecks
{
    private const string Restart = $"kubectl -n {IstioNames.SystemNamespace} rollout restart deployment -l app=istiod";
    private const string Relink = "Run New-Mesh with every cluster of the mesh to rewrite the remote secrets.";

    public static async Task<IReadOnlyList<IstiodView?>> ReadAsync(IReadOnlyList<ClusterSnapshot> snapshots, KubeSessionPool sessions,
        int throttleLimit, IMeshSink sink, CancellationToken ct) =>
        await BoundedFanOut.RunAsync(snapshots, throttleLimit, sink, 67, "Reading istiod's view", s => s.Context,
            (s, token) => s.Reachable
                ? IstiodView.ReadAsync(s.Target, sessions, token)
                : Task.FromResult(new IstiodView { Context = s.Context, Problem = $"the API server of '{s.Context}' cannot be read." }),
            ct).ConfigureAwait(false);

    /// <summary>Per cluster one IstiodRemoteClusters, then per ordered link one RemoteClusterSync.</summary>
    public static IReadOnlyList<MeshCheck> Run(IReadOnlyList<ClusterSnapshot> snapshots, IReadOnlyList<IstiodView?> views)
    {
        var results = new List<MeshCheck>();
        var byContext = snapshots.Select((s, i) => (s, v: views[i])).ToArray();
        foreach (var (s, v) in byContext)
        {
            results.Add(RemoteClusters(s, v, snapshots));
        }

        foreach (var (holder, v) in byContext)
        {
            foreach (var peer in snapshots.Where(p => !ReferenceEquals(p, holder)))
            {
                results.Add(Sync(holder, peer, v));
            }
        }

        return results;
    }

    private static MeshCheck RemoteClusters(ClusterSnapshot s, IstiodView? view, IReadOnlyList<ClusterSnapshot> all)
    {
        const string check = IstiodCheckNames.IstiodRemoteClusters;
        var t = s.Context;
        if (!s.Reachable || view is null)
        {
            return Result.Skip(check, t, $"Not checked: the API server of '{t}' cannot be read.");
        }

        if (view.Problem is { } problem)
        {
            return Result.Warn(check, t, $"istiod's view could not be read: {problem}", "Check that this identity may list pods in istio-system, then run the check again.");
        }

        if (view.Pods.Count == 0)
        {
            return Result.Skip(check, t, $"Not checked: no running istiod pod{RevisionText(s)} in istio-system of '{t}'.");
        }

        if (view.Pods.FirstOrDefault(p => p.Entries is null) is { } unread)
        {
            return Result.Warn(check, t, $"istiod's view could not be read: {unread.Problem}", unread.Action!);
        }

        var known = all.Select(x => x.Details?.IstioClusterName).Where(n => !string.IsNullOrEmpty(n)).ToHashSet(StringComparer.Ordinal);
        var extras = view.Pods.SelectMany(p => p.Entries!).Where(e => !e.IsConfigCluster && !known.Contains(e.Id))
            .DistinctBy(e => (e.Id, e.SecretName)).ToArray();
        if (extras.Length > 0)
        {
            var list = string.Join(", ", extras.Select(e => $"'{e.Id}' (from {e.SecretName}, {e.SyncStatus})"));
            var secrets = string.Join(" ", extras.Select(e => e.SecretShortName).Distinct(StringComparer.Ordinal));
            return Result.Fail(check, t,
                $"istiod in '{t}' watches {list}, which is no cluster of this mesh (a stale or misspelt name): it keeps connecting to it and merges its endpoints.",
                $"Run New-Mesh -RemoveStale with every cluster of the mesh, or delete the stale secret in '{t}': kubectl -n istio-system delete secret {secrets}.");
        }

        var remotes = view.Pods.SelectMany(p => p.Entries!).Where(e => !e.IsConfigCluster).Select(e => e.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return Result.Pass(check, t,
            $"{view.Pods.Count} istiod pod(s){RevisionText(s)} answer /debug/clusterz{VersionText(view)}; remote clusters: {(remotes.Length == 0 ? "none" : string.Join(", ", remotes))}.");
    }

    private static MeshCheck Sync(ClusterSnapshot holder, ClusterSnapshot peer, IstiodView? view)
    {
        const string check = IstiodCheckNames.RemoteClusterSync;
        var t = holder.Context;
        var p = peer.Context;
        if (!holder.Reachable || !peer.Reachable || view is null)
        {
            var down = holder.Reachable ? peer : holder;
            return Result.Skip(check, t, $"Not checked: the API server of '{down.Context}' cannot be read.", p);
        }

        if (peer.Details?.IstioClusterName is not { Length: > 0 } id)
        {
            return Result.Skip(check, t, $"Not checked: '{p}' has no istiod with a CLUSTER_ID, so istiod in '{t}' cannot know it by name.", p);
        }

        if (view.Problem is not null || view.Pods.Count == 0 || view.Pods.Any(x => x.Entries is null))
        {
            return Result.Warn(check, t, $"Not checked: istiod's view in '{t}' could not be read (see {IstiodCheckNames.IstiodRemoteClusters}).",
                view.Pods.FirstOrDefault(x => x.Action is not null)?.Action ?? "Run the check again once istiod is running.", p);
        }

        // The snapshot's kubeconfigs, parsed once per cluster: parsing every secret again for every pair cost
        // 20 × 19 × 19 kubeconfig parses on 20 clusters, most of what istiod's view added (docs/design/in-cluster-probes.md).
        var secrets = holder.RemoteKubeconfigs.Where(k => k.Key == id).ToArray();
        var expected = secrets.Select(k => $"{IstioNames.SystemNamespace}/{k.SecretName}").ToHashSet(StringComparer.Ordinal);
        var server = secrets.Select(k => MeshErrors.RedactUserInfo(k.Server)).FirstOrDefault() ?? "its server";
        var verdicts = view.Pods.Select(pod => (pod.Pod, Verdict: Judge(pod, id, expected))).ToArray();
        var kinds = verdicts.Select(v => v.Verdict.Kind).Distinct().ToArray();
        var pods = string.Join(", ", view.Pods.Select(x => x.Pod));
        if (kinds.Length > 1)
        {
            var each = string.Join("; ", verdicts.Select(v => $"{v.Pod}: {v.Verdict.Text}"));
            var lagging = string.Join(" ", verdicts.Where(v => v.Verdict.Kind != Kind.Synced).Select(v => v.Pod));
            return Result.Fail(check, t, $"istiod pods in '{t}' disagree about '{id}' ({p}): {each}.",
                $"Delete the lagging istiod pod(s) so that they reload the remote secrets: kubectl -n istio-system delete pod {lagging}.", p);
        }

        var first = verdicts[0].Verdict;
        var secretList = expected.Count == 0 ? "none" : string.Join(", ", expected.Order(StringComparer.Ordinal));
        return first.Kind switch
        {
            Kind.Synced => Result.Pass(check, t, $"istiod ({pods}) lists '{id}' as synced from {first.Text}{OldVersionNote(view)}.", p),
            Kind.Missing when expected.Count == 0 => Result.Fail(check, t,
                $"istiod in '{t}' does not watch '{id}' ({p}) and no remote secret in '{t}' holds a kubeconfig for it: '{t}' sees none of '{p}'s endpoints.", Relink, p),
            Kind.Missing => Result.Fail(check, t,
                $"istiod ({pods}) in '{t}' has not loaded {secretList}: it does not list '{id}' ({p}) although that secret holds its kubeconfig.",
                $"istiod normally loads a new remote secret within seconds; restart it so that it reads the secrets again ({Restart}) and look for 'Adding cluster {id}' in its log.", p),
            Kind.OtherSecret => Result.Fail(check, t,
                $"istiod ({pods}) in '{t}' runs '{id}' from {first.Text}, but the remote secret for '{id}' is now {secretList}: istiod still uses an old snapshot.",
                $"Restart istiod in '{t}' so that it loads the current secret: {Restart}.", p),
            Kind.Unreachable => Result.Fail(check, t,
                $"istiod ({pods}) in '{t}' reports '{id}' ({p}) as {first.Text} from {secretList}: it cannot list services on {server} from inside '{t}' (network path, TLS or token){OldVersionNote(view)}.",
                $"Make {server} reachable from pods in '{t}' (VPN or firewall rule), or give '{p}' an address '{t}' can reach: New-Mesh -ServerOverride @{{ '{p}' = 'https://<address>' }}. If RemoteSecretCredentials also fails, fix the token first.", p),
            _ => Result.Fail(check, t, $"istiod ({pods}) in '{t}' reports '{id}' ({p}) as {first.Text}: it stopped watching that cluster.",
                $"Restart istiod in '{t}' ({Restart}) so that it reconnects with the current secret.", p),
        };
    }

    internal enum Kind { Synced, Missing, OtherSecret, Unreachable, Closed }

    internal static (Kind Kind, string Text) Judge(IstiodPodView pod, string id, HashSet<string> expected)
    {
        var entries = pod.Entries!.Where(e => e.Id == id && !e.IsConfigCluster).ToArray();
        if (entries.Length == 0)
        {
            return (Kind.Missing, "not listed");
        }

        var entry = entries.FirstOrDefault(e => expected.Contains(e.SecretName)) ?? entries[0];
        if (!expected.Contains(entry.SecretName))
        {
            return (Kind.OtherSecret, entry.SecretName);
        }

        return entry.SyncStatus switch
        {
            "synced" => (Kind.Synced, entry.SecretName),
            "syncing" or "timeout" => (Kind.Unreachable, entry.SyncStatus),
            _ => (Kind.Closed, entry.SyncStatus.Length == 0 ? "no status" : entry.SyncStatus),
        };
    }

    private static string RevisionText(ClusterSnapshot s) => string.IsNullOrEmpty(s.Target.Revision) ? "" : $" of revision {s.Target.Revision}";

    private static string VersionText(IstiodView view) =>
        view.Pods.Select(x => x.MinorVersion).FirstOrDefault(m => m is not null) is { } minor ? $" (Istio 1.{minor})" : "";

    /// <summary>Before 1.20 an unreachable remote shows syncing, then synced once PILOT_REMOTE_CLUSTER_TIMEOUT passes.</summary>
    private static string OldVersionNote(IstiodView view) =>
        view.Pods.Any(x => x.MinorVersion is < 20)
            ? "; note: before Istio 1.20 an unreachable remote cluster shows syncing and then turns synced once PILOT_REMOTE_CLUSTER_TIMEOUT (30 s by default) has passed, so synced does not prove it connected"
            : "";
}
