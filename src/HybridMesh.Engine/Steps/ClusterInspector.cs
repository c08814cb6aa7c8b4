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
    public const string IstioNamespace = IstioNames.SystemNamespace;
    public const string NetworkLabel = IstioNames.NetworkLabel;
    public const int DefaultThrottleLimit = 8;

    /// <summary>Inspect several clusters at once (at most <paramref name="throttleLimit"/> in flight), in input order.</summary>
    /// <returns>The clusters that could be inspected, each with <see cref="MeshCluster.Details"/> filled.</returns>
    public static async Task<IReadOnlyList<MeshCluster>> InspectManyAsync(IReadOnlyList<MeshCluster> clusters,
        KubeSessionOptions options, IMeshSink sink, int throttleLimit = DefaultThrottleLimit,
        CancellationToken cancellationToken = default)
    {
        var withSink = options with { Sink = options.Sink ?? sink };
        var results = await PerCluster.RunAsync(clusters, throttleLimit, sink, 1, "Inspecting clusters",
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
    public static async Task<ClusterDetails> InspectAsync(KubeSession session, IMeshSink sink,
        CancellationToken cancellationToken = default)
    {
        var version = await session.GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
        var ns = await session.GetAsync("v1", "Namespace", null, IstioNamespace, cancellationToken).ConfigureAwait(false);
        if (ns is null)
        {
            sink.Verbose($"[{session.Context}] Namespace {IstioNamespace} does not exist: no Istio control plane.");
            return new ClusterDetails { ServerVersion = version };
        }

        var network = Text(ns["metadata"]?["labels"]?[NetworkLabel]);
        var istiods = await session.ListAsync("apps/v1", "Deployment", IstioNamespace, "app=istiod", cancellationToken)
            .ConfigureAwait(false);
        var revisions = istiods.Select(Revision).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var clusterId = istiods.Select(d => Env(d, "CLUSTER_ID")).FirstOrDefault(id => !string.IsNullOrEmpty(id));

        var fingerprints = new List<string>();
        var rootConfigMap = await session.GetAsync("v1", "ConfigMap", IstioNamespace, "istio-ca-root-cert", cancellationToken)
            .ConfigureAwait(false);
        fingerprints.AddRange(ClusterInspectorCertificates.Fingerprints(Text(rootConfigMap?["data"]?["root-cert.pem"])));
        fingerprints.AddRange(await PluggedInRootsAsync(session, sink, cancellationToken).ConfigureAwait(false));

        return new ClusterDetails
        {
            ServerVersion = version,
            IstioRevisions = revisions,
            NetworkLabel = network,
            IstioClusterName = clusterId,
            RootCertificateFingerprints = fingerprints.Distinct(StringComparer.Ordinal).ToArray(),
        };
    }

    /// <summary>
    /// Roots of a plug-in CA (Secret cacerts, key root-cert.pem, or ca.crt in its kubernetes.io/tls form). Reading
    /// Secrets is often not allowed; then the ConfigMap's roots have to do.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PluggedInRootsAsync(KubeSession session, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        JsonObject? secret;
        try
        {
            secret = await session.GetAsync("v1", "Secret", IstioNamespace, "cacerts", cancellationToken).ConfigureAwait(false);
        }
        catch (KubeForbiddenException)
        {
            sink.Verbose($"[{session.Context}] Not allowed to read Secret {IstioNamespace}/cacerts; using the " +
                         "istio-ca-root-cert ConfigMap only.");
            return [];
        }

        var encoded = Text(secret?["data"]?["root-cert.pem"]) ?? Text(secret?["data"]?["ca.crt"]);
        if (encoded is null)
        {
            return [];
        }

        try
        {
            return ClusterInspectorCertificates.Fingerprints(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        }
        catch (FormatException)
        {
            sink.Warning($"[{session.Context}] Secret {IstioNamespace}/cacerts holds a root-cert.pem that is not base64; ignored.");
            return [];
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
