using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>
/// JSON key order of answers: built-in types follow their Go struct order (kind, apiVersion, metadata, body, status);
/// custom resources are sorted alphabetically at every level (docs/design/kube-api-answers.md §2.6).
/// </summary>
public static class KeyOrder
{
    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    private static readonly string[] BodyOrder =
        ["kind", "apiVersion", "metadata", "spec", "data", "binaryData", "immutable", "type", "subsets", "secrets", "rules", "subjects", "roleRef"];

    public static JsonObject Reorder(JsonObject o, params string[] order)
    {
        var result = new JsonObject();
        var entries = o.ToList();
        o.Clear();
        foreach (var key in order)
        {
            var i = entries.FindIndex(e => e.Key == key);
            if (i >= 0) result[key] = entries[i].Value;
        }
        foreach (var (k, v) in entries)
            if (!result.ContainsKey(k)) result[k] = v;
        return result;
    }

    public static void ReorderInPlace(JsonObject o, params string[] order)
    {
        var entries = o.ToList();
        o.Clear();
        foreach (var key in order)
        {
            var i = entries.FindIndex(e => e.Key == key);
            if (i >= 0) o[key] = entries[i].Value;
        }
        foreach (var (k, v) in entries)
            if (!o.ContainsKey(k)) o[k] = v;
    }

    public static JsonObject Canonical(JsonObject obj, bool custom)
    {
        // placeholder so the store's resourceVersion lands in its place (removed again for dry runs)
        if (obj["metadata"] is JsonObject m && !m.ContainsKey("resourceVersion")) m["resourceVersion"] = null;
        if (custom) return SortDeep(obj);
        if (obj["metadata"] is JsonObject meta) ReorderInPlace(meta, MetadataOrder);
        var entries = obj.ToList();
        obj.Clear();
        var result = new JsonObject();
        foreach (var key in BodyOrder)
        {
            var i = entries.FindIndex(e => e.Key == key);
            if (i >= 0) result[key] = entries[i].Value;
        }
        foreach (var (k, v) in entries)
            if (!result.ContainsKey(k) && k != "status") result[k] = v;
        var s = entries.FindIndex(e => e.Key == "status");
        if (s >= 0) result["status"] = entries[s].Value;
        return result;
    }

    private static JsonObject SortDeep(JsonObject o)
    {
        var entries = o.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        o.Clear();
        var result = new JsonObject();
        foreach (var (k, v) in entries) result[k] = SortNode(v);
        return result;
    }

    private static JsonNode? SortNode(JsonNode? n) => n switch
    {
        JsonObject o => SortDeep(o),
        JsonArray a => SortArray(a),
        _ => n,
    };

    private static JsonArray SortArray(JsonArray a)
    {
        var items = a.ToList();
        a.Clear();
        var result = new JsonArray();
        foreach (var i in items) result.Add(SortNode(i));
        return result;
    }
}
