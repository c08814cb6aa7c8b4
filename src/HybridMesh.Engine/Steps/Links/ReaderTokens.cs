using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>A reader token Secret of a source cluster (istio-system), filled by the token controller. ToString omits the token.</summary>
internal sealed class ReaderTokenSecret
{
    public required JsonObject Secret { get; init; }
    public string Name => ManifestObjects.Name(Secret);
    public DateTimeOffset? Created { get; init; }
    public required string TokenHash { get; init; }

    /// <summary>Names of the token Secrets this one replaces (set by Update-MeshLinkCredential until it finishes).</summary>
    public string[] Replaces => ReaderTokens.ReplacesOf(Secret);

    public override string ToString() => $"ReaderTokenSecret {Name}";
}

/// <summary>What the link tools learn from a token without keeping it: kind, subject, times, fingerprint.</summary>
internal static class ReaderTokens
{
    /// <summary>Annotation on a token Secret made by a rotation: the Secret(s) it replaces, comma-separated.</summary>
    public const string ReplacesAnnotation = "hybridmesh.io/replaces";

    public static string Hash(string token) => ClusterSnapshot.Hash(token);

    public static string Fingerprint(string token) => Hash(token)[..16].ToLowerInvariant();

    public static string[] ReplacesOf(JsonObject secret) =>
        (ClusterSnapshot.Text(secret["metadata"]?["annotations"]?[ReplacesAnnotation]) ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The filled reader token Secrets among <paramref name="secrets"/> (all Secrets of istio-system), newest first.</summary>
    public static IReadOnlyList<ReaderTokenSecret> Filled(IEnumerable<JsonObject> secrets)
    {
        var result = new List<ReaderTokenSecret>();
        foreach (var secret in secrets.Where(ReaderIdentity.IsReaderToken))
        {
            if (ClusterSnapshot.Text(secret["data"]?["token"]) is not { Length: > 0 } encoded)
            {
                continue;
            }

            try
            {
                result.Add(new ReaderTokenSecret
                {
                    Secret = secret,
                    Created = Time(secret["metadata"]?["creationTimestamp"]),
                    TokenHash = Hash(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))),
                });
            }
            catch (FormatException)
            {
                // Not base64: cannot be a token anyone uses.
            }
        }

        return result.OrderByDescending(s => s.Created ?? DateTimeOffset.MinValue).ThenBy(s => s.Name, StringComparer.Ordinal).ToArray();
    }

    public static DateTimeOffset? Time(JsonNode? node) =>
        ClusterSnapshot.Text(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    /// <summary>The claims of a JWT (signature not checked: only the source can do that), or null.</summary>
    public static JsonObject? Claims(string? token)
    {
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Legacy Secret tokens carry the flat kubernetes.io/serviceaccount/* claims and no exp; TokenRequest tokens
    /// carry exp/iat and a nested kubernetes.io claim (docs/design/link-lifecycle.md).
    /// </summary>
    public static MeshTokenKind Kind(JsonObject? claims) =>
        claims is null ? MeshTokenKind.Unknown
        : claims["exp"] is not null ? MeshTokenKind.BoundTokenRequest
        : claims["kubernetes.io/serviceaccount/secret.name"] is not null ? MeshTokenKind.LegacySecret
        : MeshTokenKind.Unknown;

    /// <summary>"namespace/name" from the sub claim system:serviceaccount:NS:NAME.</summary>
    public static string? ServiceAccount(JsonObject? claims) =>
        ClusterSnapshot.Text(claims?["sub"]) is { } sub && sub.Split(':') is [ "system", "serviceaccount", var ns, var name ]
            ? $"{ns}/{name}" : null;

    public static DateTimeOffset? Epoch(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<long>(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Latest write of the object (managedFields), preferring the entry that owns data; with its manager.</summary>
    public static (DateTimeOffset? Time, string? Manager) LastWrite(JsonObject obj)
    {
        var entries = (obj["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => (Time: Time(e["time"]), Manager: ClusterSnapshot.Text(e["manager"]), Data: e["fieldsV1"]?["f:data"] is not null))
            .ToArray();
        var pick = entries.Where(e => e.Data).OrderByDescending(e => e.Time ?? DateTimeOffset.MinValue).FirstOrDefault();
        if (pick.Manager is null)
        {
            pick = entries.OrderByDescending(e => e.Time ?? DateTimeOffset.MinValue).FirstOrDefault();
        }

        return (pick.Time ?? Time(obj["metadata"]?["creationTimestamp"]), pick.Manager);
    }
}
