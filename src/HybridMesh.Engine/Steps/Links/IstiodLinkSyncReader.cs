using System.Collections.Concurrent;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>
/// The link tools' window on istiod (docs/design/link-lifecycle.md, istiod-view.md): one `/debug/clusterz` exec per
/// istiod pod of a target, all pods at once, through <see cref="IstiodView"/>. Get-MeshLink shares one read per target
/// among every source (<c>cache: true</c>); a rotation polls, so it reads afresh each time. An exec that is forbidden
/// or fails becomes an "Unknown: …" status, never an error: istiod's view is a bonus over the workstation view.
/// </summary>
public sealed class IstiodLinkSyncReader(KubeSessionOptions kube, bool cache) : ILinkSyncReader
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IstiodView>>> _views = new(StringComparer.Ordinal);

    /// <summary>How many times istiod's view of a target was read (tests count the execs this saves).</summary>
    public int Reads => _reads;

    private int _reads;

    public async Task<LinkSyncView> ReadAsync(MeshTarget target, string sourceClusterName, string? secretName, CancellationToken cancellationToken)
    {
        var view = cache
            ? await _views.GetOrAdd(target.Context, _ => new Lazy<Task<IstiodView>>(() => ReadViewAsync(target, CancellationToken.None))).Value
                .WaitAsync(cancellationToken).ConfigureAwait(false)
            : await ReadViewAsync(target, cancellationToken).ConfigureAwait(false);
        return Describe(view, sourceClusterName, secretName);
    }

    private Task<IstiodView> ReadViewAsync(MeshTarget target, CancellationToken ct)
    {
        Interlocked.Increment(ref _reads);
        return IstiodView.ReadAsync(target, kube, ct);
    }

    /// <summary>istiod's answer for one source, in the words of docs/design/istiod-view.md.</summary>
    internal static LinkSyncView Describe(IstiodView view, string source, string? secretName)
    {
        if (view.Problem is { } problem)
        {
            return Unknown(problem);
        }

        if (view.Pods.Count == 0)
        {
            return Unknown($"no running istiod pod in {IstioNames.SystemNamespace} of '{view.Context}' to ask.");
        }

        if (view.Pods.FirstOrDefault(p => p.Entries is null) is { } unread)
        {
            return Unknown(unread.Problem ?? $"{unread.Pod} did not answer.");
        }

        var expected = secretName is null ? null : $"{IstioNames.SystemNamespace}/{secretName}";
        var verdicts = view.Pods.Select(pod => (pod.Pod, Verdict: Judge(pod, source, expected))).ToArray();
        var statuses = verdicts.Select(v => v.Verdict.Status).Distinct(StringComparer.Ordinal).ToArray();
        var status = statuses.Length == 1
            ? statuses[0]
            : string.Join("; ", verdicts.Select(v => $"{v.Pod}: {v.Verdict.Status}"));
        return new LinkSyncView(status, true, verdicts.All(v => v.Verdict.Synced));
    }

    private static (string Status, bool Synced) Judge(IstiodPodView pod, string source, string? expected)
    {
        var entries = pod.Entries!.Where(e => e.Id == source && !e.IsConfigCluster).ToArray();
        if (entries.Length == 0)
        {
            return ("not loaded", false);
        }

        var entry = entries.FirstOrDefault(e => expected is null || e.SecretName == expected);
        if (entry is null)
        {
            // A stale snapshot: istiod still runs the cluster from a secret that no longer holds it.
            return ($"{entries[0].SyncStatus} from {entries[0].SecretName}, not {expected}", false);
        }

        var status = entry.SyncStatus.Length == 0 ? "no status" : entry.SyncStatus;
        return (status, status == "synced");
    }

    private static LinkSyncView Unknown(string why) => new("Unknown: " + MeshErrors.FirstLine(why), false, false);
}
