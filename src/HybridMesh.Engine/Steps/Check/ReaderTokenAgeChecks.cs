using System.Globalization;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Links;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Day 2 (docs/design/link-lifecycle.md): a warning per cluster whose reader token Secret is older than the limit,
/// naming the rotation command. Reported only when a token is too old, so the usual check list is unchanged.
/// One extra read per cluster (the Secrets of istio-system); clusters whose Secrets are not readable are skipped.
/// </summary>
internal static class ReaderTokenAgeChecks
{
    public const string Check = "ReaderTokenAge";

    public static async Task<IReadOnlyList<MeshCheck>> RunAsync(IReadOnlyList<ClusterSnapshot> snapshots, TimeSpan maxAge,
        DateTimeOffset now, KubeSessionOptions options, int throttle, IMeshSink sink, CancellationToken ct)
    {
        var reachable = snapshots.Where(s => s.Reachable).ToArray();
        var found = await BoundedFanOut.RunAsync(reachable, throttle, sink, 63, "Reading reader token ages", s => s.Context,
            async (snapshot, token) =>
            {
                try
                {
                    using var session = KubeSession.Open(snapshot.Target.Cluster, options);
                    var all = await session.ListAsync("v1", "Secret", IstioNames.SystemNamespace, cancellationToken: token).ConfigureAwait(false);
                    return ReaderTokens.Filled(all).Where(t => t.Created is { } c && now - c > maxAge).ToArray();
                }
                catch (KubeForbiddenException)
                {
                    return [];
                }
            }, ct).ConfigureAwait(false);

        var results = new List<MeshCheck>();
        for (var i = 0; i < reachable.Length; i++)
        {
            foreach (var old in found[i] ?? [])
            {
                var days = (now - old.Created!.Value).TotalDays.ToString("0", CultureInfo.InvariantCulture);
                var limit = maxAge.TotalDays.ToString("0.#", CultureInfo.InvariantCulture);
                results.Add(Result.Warn(Check, reachable[i].Context,
                    $"Reader token Secret istio-system/{old.Name} is {days} days old (limit {limit} days); every remote secret for this cluster carries a long-lived copy of it.",
                    $"Rotate it without a gap: Update-MeshLinkCredential -Source '{reachable[i].Context}' (a nightly runbook can use -OlderThanDays {limit})."));
            }
        }

        return results;
    }
}
