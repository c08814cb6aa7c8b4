using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>
/// Workloads keep the certificates they got at start (docs/design/shared-root.md): every pod with an Istio proxy
/// (an injected sidecar, as a container or a native-sidecar init container, or a gateway) started before istiod
/// loaded the new root still presents a certificate of the old one until it restarts. The module only counts them
/// and says how to restart them; it never restarts workloads itself.
/// </summary>
internal static class ProxyPods
{
    public const string ProxyContainer = "istio-proxy";

    public static async Task<(int Count, string[] Commands)> BeforeAsync(KubeSession session, DateTime startedBefore,
        IMeshSink sink, CancellationToken ct)
    {
        IReadOnlyList<JsonObject> pods;
        try
        {
            pods = await session.ListAsync("v1", "Pod", null, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (KubeForbiddenException)
        {
            sink.Warning($"[{session.Context}] Not allowed to list pods: workloads holding certificates of the old root are not counted.");
            return (0, []);
        }

        var stale = pods.Where(p => HasProxy(p) && p["metadata"]?["deletionTimestamp"] is null &&
                                    Created(p) is { } created && created < startedBefore).ToArray();
        var commands = stale.Select(p => p["metadata"]?["namespace"]?.GetValue<string>() ?? "")
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(ns => $"kubectl rollout restart deployment -n {ns}").ToArray();
        return (stale.Length, commands);
    }

    private static bool HasProxy(JsonObject pod) =>
        new[] { "containers", "initContainers" }.Any(list => (pod["spec"]?[list] as JsonArray ?? [])
            .Any(c => c?["name"]?.GetValue<string>() == ProxyContainer));

    private static DateTime? Created(JsonObject pod) =>
        DateTime.TryParse(pod["metadata"]?["creationTimestamp"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;
}
