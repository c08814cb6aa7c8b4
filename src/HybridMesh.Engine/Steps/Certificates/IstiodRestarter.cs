using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>
/// istiod reads cacerts only when it starts (docs/design/shared-root.md), so after cacerts changes the mesh
/// revision's istiod Deployment(s) are restarted the way `kubectl rollout restart` does it (a new
/// kubectl.kubernetes.io/restartedAt annotation on the pod template), the rollout is awaited as `kubectl rollout
/// status` judges it, and then the cluster must serve the new root in istio-system/istio-ca-root-cert.
/// </summary>
internal static class IstiodRestarter
{
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
    public const string RootConfigMap = "istio-ca-root-cert";
    private const string Ns = IstioNames.SystemNamespace;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>The istiod Deployments of the revision (all istiods when no revision is known).</summary>
    public static async Task<IReadOnlyList<string>> DeploymentsAsync(KubeSession session, string? revision, CancellationToken ct)
    {
        var selector = "app=istiod" + (string.IsNullOrEmpty(revision) ? "" : ",istio.io/rev=" + revision);
        var list = await session.ListAsync("apps/v1", "Deployment", Ns, selector, ct).ConfigureAwait(false);
        return list.Select(d => d["metadata"]?["name"]?.GetValue<string>() ?? "").Where(n => n.Length > 0).ToArray();
    }

    /// <summary>Restart one istiod Deployment and wait until its rollout is complete.</summary>
    public static async Task RestartAsync(KubeSession session, string deployment, DateTime restartedAt, DateTime deadline,
        TimeSpan timeout, IMeshSink sink, int activityId, CancellationToken ct)
    {
        var current = await session.GetAsync("apps/v1", "Deployment", Ns, deployment, ct).ConfigureAwait(false);
        var stamp = await RestartStampAsync(current, restartedAt, ct).ConfigureAwait(false);
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject
                        {
                            [RestartedAtAnnotation] = stamp,
                        },
                    },
                },
            },
        };
        await session.MergePatchAsync("apps/v1", "Deployment", Ns, deployment, patch, cancellationToken: ct).ConfigureAwait(false);
        sink.Verbose($"[{session.Context}] Deployment {Ns}/{deployment}: rollout restart requested.");

        var activity = $"Restarting istiod {deployment} @ {session.Context}";
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                var live = await session.GetAsync("apps/v1", "Deployment", Ns, deployment, ct).ConfigureAwait(false);
                if (live is null || RolloutComplete(live))
                {
                    return;
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw MeshErrors.IstiodRestartTimeout(session.Context, deployment, timeout);
                }

                sink.Progress(activityId, -1, activity,
                    $"waiting for the rollout ({clock.Elapsed.TotalSeconds:0} s of {timeout.TotalSeconds:0} s)", -1, false);
                await Task.Delay(Poll, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            sink.Progress(activityId, -1, activity, "done", 100, true);
        }
    }

    /// <summary>
    /// The restartedAt value for this restart. It has kubectl's second precision, so a restart within the same second
    /// as the previous one (an earlier run, another cluster's CA, `kubectl rollout restart`) would write the value the
    /// template already holds: no template change, no new pod, and istiod never loads the new cacerts
    /// (docs/design/shared-root.md). kubectl refuses that case ("restart has already been
    /// triggered within the past second, please wait"); we wait instead, until the first second whose value differs.
    /// </summary>
    internal static async Task<string> RestartStampAsync(JsonObject? deployment, DateTime restartedAt, CancellationToken ct)
    {
        var live = deployment?["spec"]?["template"]?["metadata"]?["annotations"]?[RestartedAtAnnotation] is JsonValue v &&
                   v.TryGetValue<string>(out var s) ? s : null;
        var at = restartedAt.AddTicks(-(restartedAt.Ticks % TimeSpan.TicksPerSecond));
        while (Format(at) == live)
        {
            at = at.AddSeconds(1);
        }

        // Never stamp a time that has not come yet: the annotation says when the restart was asked for.
        var wait = at - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct).ConfigureAwait(false);
        }

        return Format(at);
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>`kubectl rollout status`: the new generation is observed and every replica is updated and available.</summary>
    public static bool RolloutComplete(JsonObject deployment)
    {
        var generation = (long?)deployment["metadata"]?["generation"] ?? 0;
        var status = deployment["status"];
        var observed = (long?)status?["observedGeneration"] ?? -1;
        var wanted = (int?)deployment["spec"]?["replicas"] ?? 1;
        var updated = (int?)status?["updatedReplicas"] ?? 0;
        var total = (int?)status?["replicas"] ?? 0;
        var available = (int?)status?["availableReplicas"] ?? 0;
        return observed >= generation && updated >= wanted && total <= updated && available >= updated;
    }

    /// <summary>SHA-256 fingerprints of every root in istio-system/istio-ca-root-cert (what the cluster serves).</summary>
    public static async Task<IReadOnlyList<string>> ServedRootsAsync(KubeSession session, CancellationToken ct)
    {
        var map = await session.GetAsync("v1", "ConfigMap", Ns, RootConfigMap, ct).ConfigureAwait(false);
        var pem = map?["data"]?[CaCertsBundle.RootKey] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return ClusterInspectorCertificates.Fingerprints(pem);
    }

    /// <summary>
    /// Wait until the cluster serves every root of <paramref name="plugged"/> (judged as the SharedRoot rule judges it,
    /// RootChecks.Serves); istiod writes the ConfigMap shortly after it starts.
    /// </summary>
    public static async Task<IReadOnlyList<string>> AwaitServedRootsAsync(KubeSession session, IReadOnlyList<string> plugged,
        DateTime deadline, TimeSpan timeout, CancellationToken ct)
    {
        while (true)
        {
            var served = await ServedRootsAsync(session, ct).ConfigureAwait(false);
            if (served.Count > 0 && RootChecks.Serves(served, plugged))
            {
                return served;
            }

            if (DateTime.UtcNow >= deadline)
            {
                var missing = plugged.FirstOrDefault(p => !served.Contains(p, StringComparer.OrdinalIgnoreCase)) ?? plugged[0];
                throw MeshErrors.ServedRootNotUpdated(session.Context, missing, timeout);
            }

            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }
}
