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
        var secretNames = specs.OfType<ApiServerSpec>().Where(s => !s.Unlinked).Select(s => SecretName(s.KubeconfigPath!));
        var volumes = new JsonArray();
        var mounts = new JsonArray();
        var i = 0;
        foreach (var secret in secretNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var volume = $"remote-secret-{i++}";
            // optional: a secret deleted between the read and the pod start must not keep the pod from starting.
            volumes.Add(new JsonObject { ["name"] = volume, ["secret"] = new JsonObject { ["secretName"] = secret, ["optional"] = true } });
            mounts.Add(new JsonObject { ["name"] = volume, ["mountPath"] = $"{MountRoot}/{secret}", ["readOnly"] = true });
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
