using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Steps.Probe;

/// <summary>
/// The short-lived probe pod of one cluster (docs/design/in-cluster-probes.md): no sidecar (it must test the
/// network path istiod uses, not the mesh), every remote secret it needs mounted read-only, no service-account
/// token, non-root, and a deadline so that a pod left behind by an interrupted run stops by itself.
/// </summary>
internal static class ProbePod
{
    public const string Container = "probe";
    public const string AppLabel = "hybridmesh-probe";
    public const string MountRoot = "/etc/hybridmesh-probe";
    private const string SecretsVolume = "remote-secrets";

    public static string NewName() => $"{AppLabel}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Where the key of a remote secret appears inside the pod.</summary>
    public static string KubeconfigPath(string secretName, string key) => $"{MountRoot}/{secretName}/{key}";

    /// <summary>The secret a mounted kubeconfig path comes from.</summary>
    public static string SecretName(string kubeconfigPath) => kubeconfigPath.Split('/')[^2];

    /// <summary>
    /// The script, the calls, and before linking one variable per distinct peer CA: a CA is public, and separate
    /// variables keep each far below the kernel's 128 KiB limit for one environment string however many peers there are.
    /// </summary>
    private static JsonArray Environment(IReadOnlyList<ProbeSpec> specs)
    {
        var env = new JsonArray(
            new JsonObject { ["name"] = ProbeScript.ScriptVariable, ["value"] = ProbeScript.Script },
            new JsonObject { ["name"] = ProbeScript.CallsVariable, ["value"] = ProbeScript.Calls(specs) });
        foreach (var ca in specs.OfType<ApiServerSpec>().Where(s => s.CaVariable is not null).DistinctBy(s => s.CaVariable).OrderBy(s => s.CaVariable, StringComparer.Ordinal))
        {
            env.Add(new JsonObject { ["name"] = ca.CaVariable, ["value"] = ca.CaPem });
        }

        return env;
    }

    public static JsonObject Render(string name, ProbeOptions options, IReadOnlyList<ProbeSpec> specs)
    {
        // One projected volume holding just the key each call reads, each under <secret>/<key>, instead of one volume
        // and one mount per secret: the pod's spec stays the same size whatever the number of peers, which is what the
        // API server stores, tracks field by field (managedFields) and sends back on every read
        // (docs/design/in-cluster-probes.md, "The cost"). Per-key items also keep two secrets with the same key apart.
        var sources = new JsonArray();
        foreach (var secret in specs.OfType<ApiServerSpec>().Where(s => !s.Unlinked).Select(s => s.KubeconfigPath!)
                     .Distinct(StringComparer.Ordinal).GroupBy(SecretName, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = new JsonArray();
            foreach (var path in secret.Order(StringComparer.Ordinal))
            {
                items.Add(new JsonObject { ["key"] = path.Split('/')[^1], ["path"] = $"{secret.Key}/{path.Split('/')[^1]}" });
            }

            // optional: a secret (or key) deleted between the read and the pod start must not keep the pod from starting.
            sources.Add(new JsonObject { ["secret"] = new JsonObject { ["name"] = secret.Key, ["items"] = items, ["optional"] = true } });
        }

        var volumes = new JsonArray();
        var mounts = new JsonArray();
        if (sources.Count > 0)
        {
            volumes.Add(new JsonObject { ["name"] = SecretsVolume, ["projected"] = new JsonObject { ["sources"] = sources } });
            mounts.Add(new JsonObject { ["name"] = SecretsVolume, ["mountPath"] = MountRoot, ["readOnly"] = true });
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = options.Namespace,
                ["labels"] = new JsonObject
                {
                    ["app"] = AppLabel,
                    [ManifestLabels.ManagedByKey] = ManifestLabels.ManagedByValue,
                    ["sidecar.istio.io/inject"] = "false",
                },
                ["annotations"] = new JsonObject { ["sidecar.istio.io/inject"] = "false" },
            },
            ["spec"] = new JsonObject
            {
                ["restartPolicy"] = "Never",
                ["activeDeadlineSeconds"] = 900,
                ["terminationGracePeriodSeconds"] = 0,
                ["automountServiceAccountToken"] = false,
                ["enableServiceLinks"] = false,
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = Container,
                    ["image"] = options.Image,
                    ["command"] = new JsonArray("sleep", "600"),
                    ["env"] = Environment(specs),
                    ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "10m", ["memory"] = "16Mi" } },
                    ["securityContext"] = new JsonObject
                    {
                        ["allowPrivilegeEscalation"] = false,
                        ["runAsNonRoot"] = true,
                        ["runAsUser"] = 65532,
                        ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
                        // Pod Security "restricted" also wants a seccomp profile.
                        ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
                    },
                    ["volumeMounts"] = mounts,
                }),
                ["volumes"] = volumes,
            },
        };
    }
}
