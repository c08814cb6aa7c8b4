using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Traffic;

/// <summary>
/// docs/design/verification.md: exec `curl -sS helloworld.&lt;ns&gt;:5000/hello` in the client pod (Kubernetes exec API over WebSocket,
/// as kubectl exec does) K times and tally which versions answered.
/// </summary>
internal static partial class TrafficProbe
{
    [GeneratedRegex(@"Hello version: (?<v>v\d+), instance: (?<i>\S+)")]
    public static partial Regex Answer();

    /// <summary>One curl: its output, and when exec itself failed, the action that fixes that (docs/design/istiod-view.md).</summary>
    public static async Task<(string Text, string? Action)> CurlOnceAsync(KubeSession session, string ns, string pod, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(session.Timeout);
        try
        {
            var (exit, stdout, stderr) = await session.ExecAsync(ns, pod, TrafficWorkload.Client,
                ["curl", "-sS", $"{TrafficWorkload.Service}.{ns}:{TrafficWorkload.Port}/hello"], timeout.Token).ConfigureAwait(false);
            var text = (stdout + stderr).Trim();
            return (exit == 0 ? text : $"curl exited {exit}: {text}", null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ($"exec timed out after {session.Timeout.TotalSeconds:0} s",
                "Check the API server's connection to the node's kubelet (port 10250), or raise -RequestTimeoutSec.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A refused exec handshake, the kubelet unreachable, a broken WebSocket:
            // the probe reports what happened instead of failing the whole test.
            var (problem, action) = Check.IstiodView.ExecFailure(session.Context, pod, ex);
            return ("exec failed: " + problem, action);
        }
    }

    public static MeshTrafficResult Tally(string from, IReadOnlyList<string> versions, IReadOnlyList<string> responses, string? execAction = null)
    {
        var reached = responses.Select(r => Answer().Match(r)).Where(m => m.Success).Select(m => m.Groups["v"].Value)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new MeshTrafficResult
        {
            From = from,
            Reached = reached,
            Missing = versions.Except(reached, StringComparer.Ordinal).ToArray(),
            Responses = responses.ToArray(),
            RecommendedAction = execAction,
        };
    }

    /// <summary>A Running pod of the client whose containers are all ready, or null.</summary>
    public static string? ReadyPod(IReadOnlyList<JsonObject> pods) => pods
        .Where(p => p["metadata"]?["deletionTimestamp"] is null && (string?)p["status"]?["phase"] == "Running" &&
                    (p["status"]?["containerStatuses"] as JsonArray ?? []).Count > 0 &&
                    (p["status"]?["containerStatuses"] as JsonArray ?? []).All(c => (bool?)c?["ready"] == true))
        .Select(p => (string?)p["metadata"]?["name"]).FirstOrDefault(n => n is not null);
}
