using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>
/// Field sets for managedFields and server-side apply. A path is a list of segments: map keys, and for the lists the
/// API server merges by key (containers, env, volumes by name; volumeMounts by mountPath; ports by port or
/// containerPort plus protocol) an item segment "k:{...}" as in FieldsV1. Other lists, scalars and empty maps are
/// leaves (owned atomically), as are Service and Deployment selectors.
/// </summary>
public static class FieldPaths
{
    private const char Sep = '\u001f';

    public static string Join(IEnumerable<string> segments) => string.Join(Sep, segments);
    public static string[] Split(string path) => path.Split(Sep);

    /// <summary>".metadata.labels.app", ".spec.template.spec.containers[name="istio-proxy"].image" — as apply conflicts print paths.</summary>
    public static string Display(string path)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var s in Split(path))
        {
            if (IsItem(s))
            {
                var key = (JsonObject)JsonNode.Parse(s[2..])!;
                sb.Append('[').Append(string.Join(",", key.Select(kv => $"{kv.Key}={kv.Value!.ToJsonString()}"))).Append(']');
            }
            else sb.Append('.').Append(s);
        }
        return sb.ToString();
    }

    private static bool IsItem(string segment) => segment.StartsWith("k:", StringComparison.Ordinal);

    /// <summary>Fields that identify an object or are set by the server: never owned by a manager.</summary>
    private static bool Excluded(IReadOnlyList<string> seg) =>
        (seg.Count == 1 && seg[0] is "apiVersion" or "kind")
        || (seg.Count >= 2 && seg[0] == "metadata" && seg[1] is "name" or "namespace" or "uid" or "resourceVersion"
            or "creationTimestamp" or "generation" or "managedFields" or "deletionTimestamp" or "deletionGracePeriodSeconds");

    /// <summary>The merge key of a list field, or null for an atomic list.</summary>
    private static string[]? ListKey(string field, JsonArray list)
    {
        string[]? key = field switch
        {
            "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" => ["name"],
            "volumeMounts" => ["mountPath"],
            "ports" when list.All(i => i is JsonObject o && o.ContainsKey("containerPort")) => ["containerPort", "protocol"],
            "ports" when list.All(i => i is JsonObject o && o.ContainsKey("port")) => ["port", "protocol"],
            _ => null,
        };
        if (key is null || list.Count == 0) return null;
        return list.All(i => i is JsonObject o && key.All(k => k == "protocol" || o.ContainsKey(k))) ? key : null;
    }

    private static JsonNode? KeyValue(JsonObject item, string field) =>
        field == "protocol" ? item["protocol"]?.DeepClone() ?? JsonValue.Create("TCP") : item[field]?.DeepClone();

    private static string ItemSegment(JsonObject item, string[] key)
    {
        var k = new JsonObject();
        foreach (var f in key) k[f] = KeyValue(item, f);
        return "k:" + k.ToJsonString();
    }

    private static bool ItemMatches(JsonObject item, JsonObject key) =>
        key.All(kv => JsonNode.DeepEquals(KeyValue(item, kv.Key), kv.Value));

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
        else if (node is JsonArray a && prefix.Count > 0 && ListKey(prefix[^1], a) is { } key)
        {
            foreach (var item in a.OfType<JsonObject>())
            {
                prefix.Add(ItemSegment(item, key));
                Walk(item, prefix, set, selectorAtomic);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        else if (prefix.Count > 0 && !Excluded(prefix) && !(prefix.Count == 1 && prefix[0] == "metadata"))
        {
            set.Add(Join(prefix));
        }
    }

    private static JsonNode? Step(JsonNode? cur, string segment)
    {
        if (IsItem(segment))
        {
            if (cur is not JsonArray a) return null;
            var key = (JsonObject)JsonNode.Parse(segment[2..])!;
            return a.OfType<JsonObject>().FirstOrDefault(i => ItemMatches(i, key));
        }
        return cur is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
    }

    private static bool Has(JsonNode? cur, string segment) =>
        IsItem(segment) ? Step(cur, segment) is not null : cur is JsonObject o && o.ContainsKey(segment);

    public static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? cur = obj;
        foreach (var s in Split(path))
        {
            if (!Has(cur, s)) return null;
            cur = Step(cur, s);
        }
        return cur;
    }

    public static bool Exists(JsonObject obj, string path)
    {
        JsonNode? cur = obj;
        foreach (var s in Split(path))
        {
            if (!Has(cur, s)) return false;
            cur = Step(cur, s);
        }
        return true;
    }

    public static void Set(JsonObject obj, string path, JsonNode? value)
    {
        var seg = Split(path);
        JsonNode cur = obj;
        for (var i = 0; i < seg.Length - 1; i++)
        {
            var next = Step(cur, seg[i]);
            if (next is null || (IsItem(seg[i + 1]) ? next is not JsonArray : next is not JsonObject))
            {
                if (IsItem(seg[i]))
                {
                    // a new list item starts with its key fields
                    var item = (JsonObject)JsonNode.Parse(seg[i][2..])!;
                    ((JsonArray)cur).Add(item);
                    next = item;
                }
                else
                {
                    next = IsItem(seg[i + 1]) ? new JsonArray() : new JsonObject();
                    ((JsonObject)cur)[seg[i]] = next;
                }
            }
            cur = next;
        }
        if (cur is JsonObject target) target[seg[^1]] = value?.DeepClone();
    }

    /// <summary>
    /// Removes a field, a whole list item when one of its key fields goes (nobody owns the item any more), and any
    /// map or list it leaves empty below the top level.
    /// </summary>
    public static void Remove(JsonObject obj, string path)
    {
        var seg = Split(path);
        var chain = new List<JsonNode> { obj };
        JsonNode? cur = obj;
        for (var i = 0; i < seg.Length - 1; i++)
        {
            cur = Step(cur, seg[i]);
            if (cur is null) return;
            chain.Add(cur);
        }
        var last = seg[^1];
        if (seg.Length >= 2 && IsItem(seg[^2]) && ((JsonObject)JsonNode.Parse(seg[^2][2..])!).ContainsKey(last))
        {
            // the item's identity is no longer owned: the item goes
            var list = (JsonArray)chain[^2];
            list.Remove(chain[^1]);
            PruneEmpty(chain, seg, seg.Length - 2);
            return;
        }
        if (chain[^1] is JsonObject holder) holder.Remove(last);
        PruneEmpty(chain, seg, seg.Length - 1);
    }

    private static void PruneEmpty(List<JsonNode> chain, string[] seg, int depth)
    {
        for (var i = depth; i >= 2; i--)
        {
            var node = chain[i];
            var empty = node is JsonObject o ? o.Count == 0 : node is JsonArray a && a.Count == 0;
            if (!empty) break;
            switch (chain[i - 1])
            {
                case JsonObject parent: parent.Remove(seg[i - 1]); break;
                case JsonArray list: list.Remove(node); break;
            }
        }
    }

    public static bool ValueEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    /// <summary>Renders a field set as FieldsV1. <paramref name="dots"/> adds the "." markers the server writes on maps; list items always get one.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths, JsonObject obj, Func<IReadOnlyList<string>, bool> dots)
    {
        var root = new JsonObject();
        foreach (var path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            var seg = Split(path);
            var node = root;
            for (var i = 0; i < seg.Length; i++)
            {
                var key = IsItem(seg[i]) ? seg[i] : "f:" + seg[i];
                if (node[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    var isParent = i < seg.Length - 1;
                    if (isParent && (IsItem(seg[i]) || dots(seg[..(i + 1)].Where(s => !IsItem(s)).ToArray()))) child["."] = new JsonObject();
                    node[key] = child;
                }
                node = child;
            }
        }
        return Sort(root);
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

    /// <summary>Reads FieldsV1 back into a field set; set/index items (v:/i:) stand for their whole list.</summary>
    public static HashSet<string> FromFieldsV1(JsonObject? fields)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (fields is not null) Read(fields, [], set);
        return set;
    }

    private static void Read(JsonObject node, List<string> prefix, HashSet<string> set)
    {
        var children = node.Where(kv => kv.Key.StartsWith("f:", StringComparison.Ordinal) || IsItem(kv.Key)).ToList();
        var atomicItems = node.Any(kv => kv.Key.StartsWith("v:", StringComparison.Ordinal) || kv.Key.StartsWith("i:", StringComparison.Ordinal));
        if ((children.Count == 0 || atomicItems) && prefix.Count > 0)
        {
            set.Add(Join(prefix));
            return;
        }
        foreach (var (k, v) in children)
        {
            prefix.Add(IsItem(k) ? k : k[2..]);
            Read(v as JsonObject ?? new JsonObject(), prefix, set);
            prefix.RemoveAt(prefix.Count - 1);
        }
    }
}
