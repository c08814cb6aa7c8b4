using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Traffic;

/// <summary>
/// -Traffic clients that could not be asked at all (pods/exec refused, kubelet unreachable) become failed checks
/// with the fix, next to the traffic results (docs/design/istiod-view.md), instead of raw WebSocket errors.
/// </summary>
internal static class TrafficExecChecks
{
    public const string TrafficExec = "TrafficExec";

    public static IReadOnlyList<MeshCheck> From(IReadOnlyList<MeshTrafficResult> results) => results
        .Where(r => r.RecommendedAction is not null)
        .Select(r => new MeshCheck
        {
            Check = TrafficExec, Cluster = r.From, Status = MeshCheckStatus.Failed,
            Detail = r.Responses.FirstOrDefault(x => x.StartsWith("exec ", StringComparison.Ordinal)) ?? "exec into the client failed.",
            RecommendedAction = r.RecommendedAction,
        }).ToArray();
}
