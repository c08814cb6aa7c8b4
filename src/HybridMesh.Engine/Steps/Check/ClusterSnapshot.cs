using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Everything the checks need from one cluster, read once: checks then run on this snapshot so that each check is
/// independent and no object is read twice. A cluster whose API cannot be reached has <see cref="Error"/> set.
/// </summary>
internal sealed class ClusterSnapshot
{
    public required MeshTarget Target { get; init; }
    public string Context => Target.Context;
    public MeshException? Error { get; init; }
    public Uri? Server { get; init; }
    public ClusterDetails? Details { get; init; }
    public JsonObject? EastWestService { get; init; }
    public JsonObject? EastWestDeployment { get; init; }
    /// <summary>networking.istio.io Gateways in istio-system; null when the CRD is not served.</summary>
    public IReadOnlyList<JsonObject>? Gateways { get; init; }
    public IReadOnlyList<JsonObject> RemoteSecrets { get; init; } = [];
    /// <summary>SHA-256 (hex) of each service-account token stored in istio-system, with the Secret's name; null when Secrets are not readable.</summary>
    public IReadOnlyDictionary<string, string>? TokenSecretsByHash { get; init; }
    /// <summary>spec.owner.id of the cluster's hub.gke.io Membership, when it has one.</summary>
    public string? MembershipOwner { get; init; }

    public bool Reachable => Error is null;

    public static async Task<ClusterSnapshot> ReadAsync(MeshTarget target, KubeSessionOptions options, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        try
        {
            using var session = KubeSession.Open(target.Cluster, options);
            var details = await ClusterInspector.InspectAsync(session, sink, cancellationToken).ConfigureAwait(false);
            const string ns = ClusterInspector.IstioNamespace;
            var service = await session.GetAsync("v1", "Service", ns, EastWestGatewayRenderer.GatewayName, cancellationToken).ConfigureAwait(false);
            var deployment = await session.GetAsync("apps/v1", "Deployment", ns, EastWestGatewayRenderer.GatewayName, cancellationToken).ConfigureAwait(false);
            var gateways = await GatewaysAsync(session, cancellationToken).ConfigureAwait(false);
            var secrets = await session.ListAsync("v1", "Secret", ns, RemoteSecretRenderer.MultiClusterLabel + "=true", cancellationToken).ConfigureAwait(false);
            var tokens = await TokenSecretsAsync(session, sink, cancellationToken).ConfigureAwait(false);
            var owner = await MembershipOwnerAsync(session, cancellationToken).ConfigureAwait(false);
            return new ClusterSnapshot
            {
                Target = target, Server = session.Server, Details = details, EastWestService = service,
                EastWestDeployment = deployment, Gateways = gateways, RemoteSecrets = secrets,
                TokenSecretsByHash = tokens, MembershipOwner = owner,
            };
        }
        catch (MeshException ex)
        {
            return new ClusterSnapshot { Target = target, Error = ex };
        }
    }

    private static async Task<IReadOnlyList<JsonObject>?> GatewaysAsync(KubeSession session, CancellationToken ct)
    {
        var served = await session.ServedVersionsAsync(CrossNetworkGatewayRenderer.ApiGroup, ct).ConfigureAwait(false);
        var version = CrossNetworkGatewayRenderer.PreferredVersions.FirstOrDefault(served.Contains);
        if (version is null)
        {
            return null;
        }

        return await session.ListAsync($"{CrossNetworkGatewayRenderer.ApiGroup}/{version}", "Gateway",
            ClusterInspector.IstioNamespace, cancellationToken: ct).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyDictionary<string, string>?> TokenSecretsAsync(KubeSession session, IMeshSink sink,
        CancellationToken ct)
    {
        IReadOnlyList<JsonObject> all;
        try
        {
            all = await session.ListAsync("v1", "Secret", ClusterInspector.IstioNamespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (KubeForbiddenException)
        {
            sink.Verbose($"[{session.Context}] Not allowed to list Secrets in {ClusterInspector.IstioNamespace}; token Secrets are not checked.");
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in all)
        {
            if ((string?)secret["type"] != IstioReaderRenderer.TokenSecretType ||
                secret["data"]?["token"]?.GetValue<string>() is not { Length: > 0 } encoded)
            {
                continue;
            }

            try
            {
                result[Hash(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)))] =
                    secret["metadata"]?["name"]?.GetValue<string>() ?? "";
            }
            catch (FormatException)
            {
                // A token that is not base64 cannot match anything; ignore it.
            }
        }

        return result;
    }

    private static async Task<string?> MembershipOwnerAsync(KubeSession session, CancellationToken ct)
    {
        var served = await session.ServedVersionsAsync("hub.gke.io", ct).ConfigureAwait(false);
        if (!served.Contains("v1"))
        {
            return null;
        }

        var membership = await session.GetAsync("hub.gke.io/v1", "Membership", null, "membership", ct).ConfigureAwait(false);
        return membership?["spec"]?["owner"]?["id"]?.GetValue<string>();
    }

    /// <summary>Tokens are compared by hash so that no token is kept or shown.</summary>
    public static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
