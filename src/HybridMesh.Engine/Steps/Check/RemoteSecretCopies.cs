using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Compact copies of listed Secrets for a snapshot. A listed object keeps the whole list answer it came from alive,
/// and a fleet's remote secrets are mostly the same data over and over (every target holds the same kubeconfig for a
/// source: 62,250 copies of 250 values at 250 clusters). The copy keeps apiVersion, kind, metadata (less managedFields), type and data,
/// and shares each distinct data value (docs/design/scale.md).
/// </summary>
internal static class RemoteSecretCopies
{
    private const int Capacity = 16384;
    private static readonly ConcurrentDictionary<string, string> Values = new(StringComparer.Ordinal);

    public static JsonObject Compact(JsonObject secret)
    {
        var copy = new JsonObject();
        foreach (var field in new[] { "apiVersion", "kind", "type" })
        {
            if (secret[field] is { } value)
            {
                copy[field] = value.DeepClone();
            }
        }

        if (secret["metadata"] is JsonObject metadata)
        {
            // Without managedFields: no rule reads them from a snapshot, and they were about half of each copy
            // (62,250 copies at 250 clusters).
            var kept = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                if (key != "managedFields")
                {
                    kept[key] = value?.DeepClone();
                }
            }

            copy["metadata"] = kept;
        }

        if (secret["data"] is JsonObject data)
        {
            var shared = new JsonObject();
            foreach (var (key, value) in data)
            {
                shared[key] = ClusterSnapshot.Text(value) is { } text ? JsonValue.Create(Share(text)) : value?.DeepClone();
            }

            copy["data"] = shared;
        }

        return copy;
    }

    private static string Share(string text)
    {
        if (Values.TryGetValue(text, out var existing))
        {
            return existing;
        }

        if (Values.Count >= Capacity)
        {
            Values.Clear();
        }

        return Values.GetOrAdd(text, text);
    }
}
