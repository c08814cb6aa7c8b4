using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps;

/// <summary>
/// The live facts of Get-MeshCluster -Detailed: server version, Istio revisions, the network label, the Istio
/// cluster name and the root certificates a cluster trusts. Reads only. A cluster without istio-system simply has
/// no Istio facts; an unreachable cluster is one non-terminating error, and the others go on.
/// </summary>
public static class ClusterInspector
{
    // Defined once, in BoundedFanOut (every step's fan-out).
    public const int DefaultThrottleLimit = BoundedFanOut.DefaultThrottleLimit;

    /// <summary>Inspect several clusters at once (at most <paramref name="throttleLimit"/> in flight), in input order.</summary>
    /// <returns>The clusters that could be inspected, each with <see cref="MeshCluster.Details"/> filled.</returns>
    public static async Task<IReadOnlyList<MeshCluster>> InspectManyAsync(IReadOnlyList<MeshCluster> clusters,
        KubeSessionOptions options, IMeshSink sink, int throttleLimit = DefaultThrottleLimit,
        CancellationToken cancellationToken = default)
    {
        var withSink = options with { Sink = options.Sink ?? sink };
        var results = await BoundedFanOut.RunAsync(clusters, throttleLimit, sink, 1, "Inspecting clusters",
            cluster => cluster.Context,
            async (cluster, token) =>
            {
                sink.Verbose($"Inspecting context '{cluster.Context}' at {cluster.Server}.");
                using var session = KubeSession.Open(cluster, withSink);
                return cluster.WithDetails(await InspectAsync(session, sink, token).ConfigureAwait(false));
            }, cancellationToken).ConfigureAwait(false);
        return results.OfType<MeshCluster>().ToArray();
    }

    /// <summary>The facts of one cluster. Throws a MeshException when the cluster cannot be read.</summary>
    internal static async Task<ClusterDetails> InspectAsync(KubeSession session, IMeshSink sink,
        CancellationToken cancellationToken = default)
    {
        var version = await session.GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
        var ns = await session.GetAsync("v1", "Namespace", null, IstioNames.SystemNamespace, cancellationToken).ConfigureAwait(false);
        if (ns is null)
        {
            sink.Verbose($"[{session.Context}] Namespace {IstioNames.SystemNamespace} does not exist: no Istio control plane.");
            return new ClusterDetails { ServerVersion = version };
        }

        var istiods = await session.ListAsync("apps/v1", "Deployment", IstioNames.SystemNamespace, "app=istiod", cancellationToken)
            .ConfigureAwait(false);
        var rootConfigMap = await session.GetAsync("v1", "ConfigMap", IstioNames.SystemNamespace, RootConfigMapName, cancellationToken)
            .ConfigureAwait(false);
        JsonObject? cacerts;
        try
        {
            cacerts = await session.GetAsync("v1", "Secret", IstioNames.SystemNamespace, CaCertsSecretName, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeForbiddenException)
        {
            // Reading Secrets is often not allowed; then the ConfigMap's roots have to do.
            sink.Verbose($"[{session.Context}] Not allowed to read Secret {IstioNames.SystemNamespace}/{CaCertsSecretName}; using the " +
                         $"{RootConfigMapName} ConfigMap only.");
            cacerts = null;
        }

        return Details(version, ns, Istiods(istiods), ServedRoots(rootConfigMap), CaCertsRoots(cacerts, session.Context, sink), null);
    }

    internal const string RootConfigMapName = "istio-ca-root-cert";
    internal const string CaCertsSecretName = "cacerts";

    /// <summary>
    /// The facts of one cluster from what was read. The Istio cluster name is the CLUSTER_ID of the chosen revision, or
    /// the one CLUSTER_ID every istiod agrees on; with several different ones and no choice it stays unknown
    /// (docs/design/rules.md: an ambiguous control plane is an error, never a silent pick).
    /// </summary>
    internal static ClusterDetails Details(string version, JsonObject? istioNamespace, IReadOnlyList<IstiodInfo> istiods,
        IReadOnlyList<string> servedRoots, IReadOnlyList<string>? caCertsRoots, string? revision)
    {
        if (istioNamespace is null)
        {
            return new ClusterDetails { ServerVersion = version };
        }

        return new ClusterDetails
        {
            ServerVersion = version,
            IstioRevisions = istiods.Select(i => i.Revision).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            NetworkLabel = Text(istioNamespace["metadata"]?["labels"]?[IstioNames.NetworkLabel]),
            IstioClusterName = ClusterIdOf(istiods, revision),
            RootCertificateFingerprints = servedRoots.Concat(caCertsRoots ?? []).Distinct(StringComparer.Ordinal).ToArray(),
        };
    }

    /// <summary>The CLUSTER_ID of <paramref name="revision"/>, else the single distinct CLUSTER_ID, else null.</summary>
    internal static string? ClusterIdOf(IReadOnlyList<IstiodInfo> istiods, string? revision)
    {
        var ids = istiods.Where(i => revision is null || i.Revision == revision).Select(i => i.ClusterId)
            .OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        return ids.Length == 1 ? ids[0] : null;
    }

    /// <summary>Each istiod Deployment (label app=istiod) with its revision and CLUSTER_ID.</summary>
    internal static IReadOnlyList<IstiodInfo> Istiods(IReadOnlyList<JsonObject> deployments) =>
        deployments.Select(d => new IstiodInfo(Text(d["metadata"]?["name"]) ?? "", Revision(d), Env(d, "CLUSTER_ID"), Image(d)))
            .OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The roots istiod serves: istio-ca-root-cert, what every workload trusts (docs/design/shared-root.md).</summary>
    internal static IReadOnlyList<string> ServedRoots(JsonObject? configMap) =>
        ClusterInspectorCertificates.Fingerprints(Text(configMap?["data"]?["root-cert.pem"]));

    /// <summary>
    /// Roots of a plug-in CA (Secret cacerts, key root-cert.pem, or ca.crt in its kubernetes.io/tls form); null when the
    /// Secret does not exist or holds no root.
    /// </summary>
    internal static IReadOnlyList<string>? CaCertsRoots(JsonObject? secret, string context, IMeshSink sink)
    {
        var encoded = Text(secret?["data"]?["root-cert.pem"]) ?? Text(secret?["data"]?["ca.crt"]);
        if (encoded is null)
        {
            return null;
        }

        try
        {
            var roots = ClusterInspectorCertificates.Fingerprints(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            return roots.Count == 0 ? null : roots;
        }
        catch (FormatException)
        {
            sink.Warning($"[{context}] Secret {IstioNames.SystemNamespace}/{CaCertsSecretName} holds a root-cert.pem that is not base64; ignored.");
            return null;
        }
    }

    /// <summary>
    /// An istiod Deployment's revision: label istio.io/rev, else its REVISION env, else the name istiod-&lt;rev&gt;;
    /// a plain "istiod" is the default revision.
    /// </summary>
    internal static string Revision(JsonObject deployment)
    {
        if (Text(deployment["metadata"]?["labels"]?["istio.io/rev"]) is { } label)
        {
            return label;
        }

        if (Env(deployment, "REVISION") is { Length: > 0 } env)
        {
            return env;
        }

        var name = Text(deployment["metadata"]?["name"]) ?? "";
        return name.StartsWith("istiod-", StringComparison.Ordinal) && name.Length > "istiod-".Length
            ? name["istiod-".Length..]
            : "default";
    }

    /// <summary>The image of the first container that names one (the pilot image; its tag carries the version).</summary>
    internal static string? Image(JsonObject deployment) =>
        (deployment["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => Text(c["image"])).FirstOrDefault(i => i is not null);

    /// <summary>A literal env value of the istiod container ("discovery", else the first container that has it).</summary>
    internal static string? Env(JsonObject deployment, string variable)
    {
        var containers = (deployment["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .OrderBy(c => Text(c["name"]) == "discovery" ? 0 : 1);
        foreach (var container in containers)
        {
            foreach (var entry in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Text(entry["name"]) == variable && Text(entry["value"]) is { } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}

/// <summary>One istiod Deployment: its name, revision and CLUSTER_ID (null when it sets none).</summary>
internal sealed record IstiodInfo(string Name, string Revision, string? ClusterId, string? Image = null);
