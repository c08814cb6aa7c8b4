using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Everything the rules need from one cluster, read once with all reads sent together (docs/design/rules.md): the
/// rules then run on this snapshot, so Test-MeshConnectivity and New-Mesh's pre-flight judge the same facts and no
/// object is read twice. A cluster that cannot be read has <see cref="Error"/> set.
/// </summary>
internal sealed partial class ClusterSnapshot
{
    public required MeshTarget Target { get; init; }
    public string Context => Target.Context;
    public MeshException? Error { get; init; }
    public Uri? Server { get; init; }
    public ClusterDetails? Details { get; init; }
    /// <summary>Every istiod Deployment with its revision and CLUSTER_ID.</summary>
    public IReadOnlyList<IstiodInfo> Istiods { get; init; } = [];
    /// <summary>Roots in istio-ca-root-cert: what istiod serves and workloads trust.</summary>
    public IReadOnlyList<string> ServedRoots { get; init; } = [];
    /// <summary>Roots in the cacerts Secret; null when there is none.</summary>
    public IReadOnlyList<string>? CaCertsRoots { get; init; }
    /// <summary>Secret istio-system/cacerts from the Secret list (the CaCerts* checks read its chain); null when absent.</summary>
    public JsonObject? CaCertsSecret { get; init; }
    public JsonObject? EastWestService { get; init; }
    public JsonObject? EastWestDeployment { get; init; }
    /// <summary>networking.istio.io Gateways in istio-system; null when the CRD is not served.</summary>
    public IReadOnlyList<JsonObject>? Gateways { get; init; }
    /// <summary>Secrets labelled istio/multiCluster=true in istio-system, as compact entries (RemoteSecretEntry).</summary>
    public IReadOnlyList<RemoteSecretEntry> RemoteSecrets { get; init; } = [];
    /// <summary>Every kubeconfig those remote secrets hold, parsed once.</summary>
    public IReadOnlyList<RemoteSecretKubeconfig> RemoteKubeconfigs { get; init; } = [];
    /// <summary>SHA-256 (hex) of each service-account token stored in istio-system, with the Secret's name.</summary>
    public IReadOnlyDictionary<string, string>? TokenSecretsByHash { get; init; }
    /// <summary>SHA-256 of the cluster CA (ca.crt) of the service-account token Secrets in istio-system.</summary>
    public IReadOnlySet<string> CertificateAuthorities { get; init; } = new HashSet<string>();
    /// <summary>The cluster-scoped hub.gke.io Membership "membership", when the CRD is served and it exists.</summary>
    public JsonObject? HubMembership { get; init; }
    /// <summary>spec.owner.id of the cluster's hub.gke.io Membership, when it has one.</summary>
    public string? MembershipOwner => Text(HubMembership?["spec"]?["owner"]?["id"]);

    public bool Reachable => Error is null;

    /// <summary>The API server could not be reached at all (links touching it are skipped, not failed).</summary>
    public bool Unreachable => Error is KubeUnreachableException;

    /// <summary>Opens a session, reads, closes it (Test-MeshConnectivity).</summary>
    public static async Task<ClusterSnapshot> ReadAsync(MeshTarget target, KubeSessionOptions options, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        KubeSession session;
        try
        {
            session = KubeSession.Open(target.Cluster, options);
        }
        catch (MeshException ex)
        {
            return new ClusterSnapshot { Target = target, Error = ex };
        }

        using (session)
        {
            return await ReadAsync(target, session, sink, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads with the run's session for the cluster (Test-MeshConnectivity's later reads use it too).</summary>
    internal static async Task<ClusterSnapshot> ReadAsync(MeshTarget target, KubeSessionPool sessions, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        KubeSession session;
        try
        {
            session = sessions.For(target.Cluster);
        }
        catch (MeshException ex)
        {
            return new ClusterSnapshot { Target = target, Error = ex };
        }

        return await ReadAsync(target, session, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads with a session the caller keeps (New-Mesh writes with it afterwards).</summary>
    public static async Task<ClusterSnapshot> ReadAsync(MeshTarget target, KubeSession session, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        const string ns = IstioNames.SystemNamespace;
        var ct = cancellationToken;
        try
        {
            // Independent reads go out together: with API latency a cluster costs one round of them, not their sum.
            var version = session.GetServerVersionAsync(ct);
            var istioNamespace = session.GetAsync("v1", "Namespace", null, ns, ct);
            var istiods = session.ListAsync("apps/v1", "Deployment", ns, "app=istiod", ct);
            var rootConfigMap = session.GetAsync("v1", "ConfigMap", ns, ClusterInspector.RootConfigMapName, ct);
            // One list of every Secret in istio-system: remote secrets, reader tokens and cacerts come from it. No rule
            // reads managedFields or the other server bookkeeping, and New-Mesh keeps every item until it ends: they
            // were a third of a fleet's remote secrets, then most of a re-run's live heap (docs/design/scale.md).
            var secrets = session.ListAsync("v1", "Secret", ns, cancellationToken: ct, skipBookkeeping: true);
            var service = session.GetAsync("v1", "Service", ns, EastWestGatewayRenderer.GatewayName, ct);
            var deployment = session.GetAsync("apps/v1", "Deployment", ns, EastWestGatewayRenderer.GatewayName, ct);
            var gateways = GatewaysAsync(session, ct);
            var hub = HubMembershipAsync(session, ct);
            await Task.WhenAll(version, istioNamespace, istiods, rootConfigMap, secrets, service, deployment, gateways, hub)
                .ConfigureAwait(false);

            var all = await secrets.ConfigureAwait(false);
            // Kept as compact entries: New-Mesh holds every snapshot to its end, and a JsonObject tree per remote secret
            // was most of a 250-cluster re-run's live heap; the strings are the list reader's shared ones
            // (docs/design/scale.md, "What a snapshot keeps").
            var remote = all.Where(IsRemoteSecret).Select(RemoteSecretEntry.From).ToArray();
            var cacerts = all.FirstOrDefault(s => Text(s["metadata"]?["name"]) == ClusterInspector.CaCertsSecretName);
            var istiodInfo = ClusterInspector.Istiods(await istiods.ConfigureAwait(false));
            var served = ClusterInspector.ServedRoots(await rootConfigMap.ConfigureAwait(false));
            var caCerts = ClusterInspector.CaCertsRoots(cacerts, session.Context, sink);
            var (tokens, authorities) = TokenSecrets(all);
            return new ClusterSnapshot
            {
                Target = target,
                Server = session.Server,
                Details = ClusterInspector.Details(await version.ConfigureAwait(false), await istioNamespace.ConfigureAwait(false),
                    istiodInfo, served, caCerts, target.Revision),
                Istiods = istiodInfo,
                ServedRoots = served,
                CaCertsRoots = caCerts,
                CaCertsSecret = cacerts,
                EastWestService = await service.ConfigureAwait(false),
                EastWestDeployment = await deployment.ConfigureAwait(false),
                Gateways = await gateways.ConfigureAwait(false),
                RemoteSecrets = remote,
                RemoteKubeconfigs = remote.SelectMany(RemoteSecretKubeconfig.Read).ToArray(),
                TokenSecretsByHash = tokens,
                CertificateAuthorities = authorities,
                HubMembership = await hub.ConfigureAwait(false),
            };
        }
        catch (MeshException ex)
        {
            return new ClusterSnapshot { Target = target, Server = session.Server, Error = ex };
        }
    }

    private static bool IsRemoteSecret(JsonObject secret) =>
        Text(secret["metadata"]?["labels"]?[RemoteSecretRenderer.MultiClusterLabel]) == "true";

    private static async Task<IReadOnlyList<JsonObject>?> GatewaysAsync(KubeSession session, CancellationToken ct)
    {
        var served = await session.ServedVersionsAsync(CrossNetworkGatewayRenderer.ApiGroup, ct).ConfigureAwait(false);
        var version = CrossNetworkGatewayRenderer.PreferredVersions.FirstOrDefault(served.Contains);
        if (version is null)
        {
            return null;
        }

        return await session.ListAsync($"{CrossNetworkGatewayRenderer.ApiGroup}/{version}", "Gateway",
            IstioNames.SystemNamespace, cancellationToken: ct).ConfigureAwait(false);
    }

    private static (IReadOnlyDictionary<string, string> Tokens, IReadOnlySet<string> Authorities) TokenSecrets(
        IReadOnlyList<JsonObject> all)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var authorities = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in all.Where(s => Text(s["type"]) == IstioReaderRenderer.TokenSecretType))
        {
            try
            {
                if (Text(secret["data"]?["token"]) is { Length: > 0 } encoded)
                {
                    tokens[Hash(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)))] = Text(secret["metadata"]?["name"]) ?? "";
                }

                if (Text(secret["data"]?["ca.crt"]) is { Length: > 0 } ca)
                {
                    authorities.Add(CertificateAuthorityHash(Convert.FromBase64String(ca)));
                }
            }
            catch (FormatException)
            {
                // Not base64: it cannot match anything; ignore it.
            }
        }

        return (tokens, authorities);
    }

    /// <summary>The cluster-scoped hub.gke.io Membership "membership", or null (also when the CRD is not installed).</summary>
    private static async Task<JsonObject?> HubMembershipAsync(KubeSession session, CancellationToken ct)
    {
        var served = await session.ServedVersionsAsync("hub.gke.io", ct).ConfigureAwait(false);
        if (!served.Contains("v1"))
        {
            return null;
        }

        return await session.GetAsync("hub.gke.io/v1", "Membership", null, "membership", ct).ConfigureAwait(false);
    }

    /// <summary>A CA bundle compared by the fingerprints of its certificates, whatever its PEM whitespace.</summary>
    public static string CertificateAuthorityHash(byte[] pem) =>
        string.Join(",", ClusterInspectorCertificates.Fingerprints(Encoding.UTF8.GetString(pem)).Order(StringComparer.Ordinal));

    /// <summary>Tokens are compared by hash so that no token is kept or shown.</summary>
    public static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
