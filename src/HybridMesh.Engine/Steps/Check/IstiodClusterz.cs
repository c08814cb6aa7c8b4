using System.Text.Json;
using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>One entry of istiod's /debug/clusterz: a cluster istiod watches, the Secret it came from, and its sync state.</summary>
internal sealed record ClusterzEntry(string Id, string SecretName, string SyncStatus)
{
    /// <summary>
    /// Istio 1.24+ lists its own (config) cluster too, with an empty secretName; it is not a remote cluster
    /// (docs/design/istiod-view.md).
    /// </summary>
    public bool IsConfigCluster => SecretName.Length == 0;

    /// <summary>"istio-system/name" → "name".</summary>
    public string SecretShortName => SecretName[(SecretName.IndexOf('/', StringComparison.Ordinal) + 1)..];

    /// <summary>Parses the body `pilot-discovery request GET /debug/clusterz` prints: a JSON list, or `null` (no remote clusters, before 1.24).</summary>
    public static IReadOnlyList<ClusterzEntry> Parse(string body)
    {
        var text = body.Trim();
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text.Length == 0 ? "null" : text);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"istiod's /debug/clusterz answer is not JSON ({ex.Message}): {First(text)}", ex);
        }

        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray list)
        {
            throw new FormatException($"istiod's /debug/clusterz answer is not a JSON list: {First(text)}");
        }

        return list.OfType<JsonObject>().Select(e => new ClusterzEntry(
            ClusterSnapshot.Text(e["id"]) ?? "", ClusterSnapshot.Text(e["secretName"]) ?? "", ClusterSnapshot.Text(e["syncStatus"]) ?? "")).ToArray();
    }

    private static string First(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
