using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>
/// JSON merge patch (RFC 7386), strategic merge patch for the cases kubectl and the module use, and JSON patch
/// (RFC 6902). Strategic merge merges lists of objects by their patch merge key (containers/env/volumes by name,
/// ports by port) and replaces other lists; $patch directives are not supported.
/// </summary>
public static class Patches
{
    public static JsonObject Merge(JsonObject target, JsonObject patch, bool strategic)
    {
        foreach (var (k, v) in patch.ToList())
        {
            if (v is null)
            {
                target.Remove(k);
            }
            else if (v is JsonObject po)
            {
                var current = target[k] as JsonObject ?? new JsonObject();
                if (target[k] is not JsonObject) target[k] = current;
                Merge(current, po, strategic);
            }
            else if (strategic && v is JsonArray pa && target[k] is JsonArray ta && MergeKey(k) is { } key
                     && pa.All(i => i is JsonObject) && ta.All(i => i is JsonObject))
            {
                MergeList(ta, pa, key);
            }
            else
            {
                target[k] = v.DeepClone();
            }
        }
        return target;
    }

    private static string? MergeKey(string field) => field switch
    {
        "containers" or "initContainers" or "env" or "volumes" or "imagePullSecrets" => "name",
        "ports" => "port",
        "volumeMounts" => "mountPath",
        "conditions" => "type",
        _ => null,
    };

    /// <summary>Items from the patch come first, then existing items the patch did not mention (as the API server orders them).</summary>
    private static void MergeList(JsonArray target, JsonArray patch, string key)
    {
        var existing = target.OfType<JsonObject>().ToList();
        target.Clear();
        var merged = new List<JsonObject>();
        foreach (var p in patch.OfType<JsonObject>())
        {
            var match = existing.FirstOrDefault(e => JsonNode.DeepEquals(e[key], p[key]));
            if (match is not null)
            {
                existing.Remove(match);
                merged.Add(Merge((JsonObject)match.DeepClone(), p, true));
            }
            else merged.Add((JsonObject)p.DeepClone());
        }
        foreach (var m in merged) target.Add(m);
        foreach (var e in existing) target.Add(e.DeepClone());
    }

    /// <summary>Applies an RFC 6902 patch; any failed operation is reported as one generic 422 (docs/design/kube-api-answers.md §5.5).</summary>
    public static JsonObject JsonPatch(JsonObject target, JsonArray ops)
    {
        JsonNode root = target.DeepClone();
        try
        {
            foreach (var op in ops.OfType<JsonObject>())
            {
                var path = (string?)op["path"] ?? throw new InvalidOperationException();
                switch ((string?)op["op"])
                {
                    case "add": root = Add(root, path, op["value"]?.DeepClone()); break;
                    case "remove": Remove(root, path); break;
                    case "replace": Remove(root, path); root = Add(root, path, op["value"]?.DeepClone()); break;
                    case "test":
                        if (!JsonNode.DeepEquals(Resolve(root, path), op["value"])) throw new InvalidOperationException();
                        break;
                    case "move":
                        var moved = Resolve(root, (string?)op["from"] ?? "")?.DeepClone();
                        Remove(root, (string?)op["from"] ?? "");
                        root = Add(root, path, moved);
                        break;
                    case "copy": root = Add(root, path, Resolve(root, (string?)op["from"] ?? "")?.DeepClone()); break;
                    default: throw new InvalidOperationException();
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new KubeApiException(422, KubeStatus.Failure(
                "the server rejected our request due to an error in our request", "Invalid", 422, new JsonObject()));
        }
        return root as JsonObject ?? throw KubeStatus.BadRequest("JSON patch must result in an object");
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();

    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        JsonNode? cur = root;
        foreach (var t in Tokens(pointer))
        {
            cur = cur switch
            {
                JsonObject o => o.TryGetPropertyValue(t, out var v) ? v : throw new InvalidOperationException(),
                JsonArray a => int.TryParse(t, out var i) && i >= 0 && i < a.Count ? a[i] : throw new InvalidOperationException(),
                _ => throw new InvalidOperationException(),
            };
        }
        return cur;
    }

    private static JsonNode Add(JsonNode root, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0) return value ?? throw new InvalidOperationException();
        var parent = Resolve(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0").Replace("/", "~1"))));
        if (tokens.Length == 1) parent = root;
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a:
                if (last == "-") a.Add(value);
                else if (int.TryParse(last, out var i) && i >= 0 && i <= a.Count) a.Insert(i, value);
                else throw new InvalidOperationException();
                break;
            default: throw new InvalidOperationException();
        }
        return root;
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0) throw new InvalidOperationException();
        var parent = tokens.Length == 1 ? root : Resolve(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0").Replace("/", "~1"))));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last): o.Remove(last); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count: a.RemoveAt(i); break;
            default: throw new InvalidOperationException();
        }
    }
}
