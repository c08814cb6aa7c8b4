using System.Text.Json;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>
/// Field sets for managedFields and server-side apply. A path is a list of map keys; maps are walked, and a list or a
/// scalar (or an empty map) is a leaf. Lists are therefore owned atomically; the API server keys some lists
/// (containers by name, ports by port+protocol) — the lab renders those keys but does not merge lists per item.
/// </summary>
public static class FieldPaths
{
    private const char Sep = '\u001f';

    public static string Join(IEnumerable<string> segments) => string.Join(Sep, segments);
    public static string[] Split(string path) => path.Split(Sep);

    /// <summary>".metadata.labels.app" — the form the API server prints in apply conflicts.</summary>
    public static string Display(string path) => "." + string.Join('.', Split(path));

    /// <summary>Fields that identify an object or are set by the server: never owned by a manager.</summary>
    private static bool Excluded(IReadOnlyList<string> seg) =>
        (seg.Count == 1 && seg[0] is "apiVersion" or "kind")
        || (seg.Count >= 2 && seg[0] == "metadata" && seg[1] is "name" or "namespace" or "uid" or "resourceVersion"
            or "creationTimestamp" or "generation" or "managedFields" or "deletionTimestamp" or "deletionGracePeriodSeconds");

    public static HashSet<string> Leaves(JsonObject obj)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        Walk(obj, [], set, (string?)obj["kind"] is "Service" or "Deployment");
        return set;
    }

    /// <summary>Service and Deployment selectors are atomic maps: owned as a whole (f:selector: {}).</summary>
    private static bool Atomic(List<string> prefix, bool selectorAtomic) =>
        selectorAtomic && prefix.Count == 2 && prefix[0] == "spec" && prefix[1] == "selector";

    private static void Walk(JsonNode? node, List<string> prefix, HashSet<string> set, bool selectorAtomic)
    {
        if (node is JsonObject o && o.Count > 0 && !Atomic(prefix, selectorAtomic))
        {
            foreach (var (k, v) in o)
            {
                prefix.Add(k);
                if (!Excluded(prefix)) Walk(v, prefix, set, selectorAtomic);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        else if (prefix.Count > 0 && !Excluded(prefix) && !(prefix.Count == 1 && prefix[0] == "metadata"))
        {
            set.Add(Join(prefix));
        }
    }

    public static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? cur = obj;
        foreach (var s in Split(path))
        {
            if (cur is not JsonObject o || !o.TryGetPropertyValue(s, out cur)) return null;
        }
        return cur;
    }

    public static bool Exists(JsonObject obj, string path)
    {
        JsonNode? cur = obj;
        foreach (var s in Split(path))
        {
            if (cur is not JsonObject o || !o.TryGetPropertyValue(s, out cur)) return false;
        }
        return true;
    }

    public static void Set(JsonObject obj, string path, JsonNode? value)
    {
        var seg = Split(path);
        var cur = obj;
        for (var i = 0; i < seg.Length - 1; i++)
        {
            if (cur[seg[i]] is not JsonObject next)
            {
                next = new JsonObject();
                cur[seg[i]] = next;
            }
            cur = next;
        }
        cur[seg[^1]] = value?.DeepClone();
    }

    /// <summary>Removes a field and any map it leaves empty below the top level.</summary>
    public static void Remove(JsonObject obj, string path)
    {
        var seg = Split(path);
        var chain = new List<JsonObject> { obj };
        var cur = obj;
        for (var i = 0; i < seg.Length - 1; i++)
        {
            if (cur[seg[i]] is not JsonObject next) return;
            chain.Add(next);
            cur = next;
        }
        cur.Remove(seg[^1]);
        for (var i = seg.Length - 2; i >= 1; i--)
        {
            if (chain[i + 1].Count == 0) chain[i].Remove(seg[i]);
            else break;
        }
    }

    public static bool ValueEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    /// <summary>Renders a field set as FieldsV1. <paramref name="dots"/> adds the "." markers the server writes on maps.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths, JsonObject obj, Func<IReadOnlyList<string>, bool> dots)
    {
        var root = new JsonObject();
        foreach (var path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            var seg = Split(path);
            var node = root;
            for (var i = 0; i < seg.Length; i++)
            {
                var key = "f:" + seg[i];
                if (node[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    if (i < seg.Length - 1 && dots(seg[..(i + 1)])) child["."] = new JsonObject();
                    node[key] = child;
                }
                node = child;
            }
            if (Get(obj, path) is JsonArray list) RenderListKeys(seg[^1], list, node);
        }
        return Sort(root);
    }

    /// <summary>Keys the API server uses for the lists the module touches: containers by name, ports by port/protocol.</summary>
    private static void RenderListKeys(string field, JsonArray list, JsonObject node)
    {
        if (field is not ("containers" or "ports" or "env" or "volumes" or "initContainers")) return;
        node["."] = new JsonObject();
        foreach (var item in list.OfType<JsonObject>())
        {
            string key;
            if (item["name"] is not null && field != "ports")
                key = "k:" + JsonSerializer.Serialize(new Dictionary<string, string?> { ["name"] = (string?)item["name"] });
            else if (item["port"] is not null)
                key = $"k:{{\"port\":{item["port"]!.ToJsonString()},\"protocol\":\"{(string?)item["protocol"] ?? "TCP"}\"}}";
            else if (item["containerPort"] is not null)
                key = $"k:{{\"containerPort\":{item["containerPort"]!.ToJsonString()},\"protocol\":\"{(string?)item["protocol"] ?? "TCP"}\"}}";
            else continue;
            var entry = new JsonObject { ["."] = new JsonObject() };
            foreach (var (k, _) in item) entry["f:" + k] = new JsonObject();
            node[key] = entry;
        }
    }

    private static JsonObject Sort(JsonObject o)
    {
        var sorted = new JsonObject();
        foreach (var (k, v) in o.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList())
        {
            o.Remove(k);
            sorted[k] = v is JsonObject child ? Sort(child) : v;
        }
        return sorted;
    }

    /// <summary>Reads FieldsV1 back into a field set; a keyed list entry (k:/v:/i:) means the whole list.</summary>
    public static HashSet<string> FromFieldsV1(JsonObject? fields)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (fields is not null) Read(fields, [], set);
        return set;
    }

    private static void Read(JsonObject node, List<string> prefix, HashSet<string> set)
    {
        var children = node.Where(kv => kv.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
        var listItems = node.Any(kv => kv.Key.Length > 1 && kv.Key[1] == ':' && kv.Key[0] is 'k' or 'v' or 'i');
        if ((children.Count == 0 || listItems) && prefix.Count > 0)
        {
            set.Add(Join(prefix));
            return;
        }
        foreach (var (k, v) in children)
        {
            prefix.Add(k[2..]);
            Read(v as JsonObject ?? new JsonObject(), prefix, set);
            prefix.RemoveAt(prefix.Count - 1);
        }
    }
}
