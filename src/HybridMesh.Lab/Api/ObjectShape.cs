using System.Text.Json.Nodes;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>Per-kind facts about an object's shape: which top-level fields exist, which kinds carry generation.</summary>
public static class ObjectShape
{
    private static readonly string[] MetadataFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    /// <summary>Top-level fields a built-in kind declares; custom resources accept anything.</summary>
    public static string[]? TopLevelFields(ResourceType t) => t.IsCustom ? null : t.Plural switch
    {
        "configmaps" => ["data", "binaryData", "immutable"],
        "secrets" => ["data", "stringData", "type", "immutable"],
        "serviceaccounts" => ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
        "endpoints" => ["subsets"],
        "roles" => ["rules"],
        "clusterroles" => ["rules", "aggregationRule"],
        "rolebindings" or "clusterrolebindings" => ["subjects", "roleRef"],
        _ => ["spec", "status"],
    };

    /// <summary>Unknown fields, as "extra" or "metadata.bogus", in the order the body has them.</summary>
    public static List<string> UnknownFields(ResourceType t, JsonObject body)
    {
        var unknown = new List<string>();
        var allowed = TopLevelFields(t);
        foreach (var (k, v) in body)
        {
            if (k == "metadata")
            {
                if (v is JsonObject meta)
                    foreach (var (mk, _) in meta)
                        if (!MetadataFields.Contains(mk)) unknown.Add("metadata." + mk);
            }
            else if (allowed is not null && k is not ("apiVersion" or "kind") && !allowed.Contains(k)) unknown.Add(k);
        }
        return unknown;
    }

    public static void RemoveField(JsonObject body, string dotted)
    {
        if (dotted.StartsWith("metadata.", StringComparison.Ordinal)) (body["metadata"] as JsonObject)?.Remove(dotted[9..]);
        else body.Remove(dotted);
    }

    public static bool HasGeneration(ResourceType t) =>
        t.IsCustom || t.Plural is "deployments" or "customresourcedefinitions" or "horizontalpodautoscalers" or "poddisruptionbudgets";

    /// <summary>Everything except metadata and status: a change here bumps generation.</summary>
    public static bool SpecChanged(JsonObject a, JsonObject b)
    {
        var keys = a.Select(kv => kv.Key).Concat(b.Select(kv => kv.Key)).Distinct()
            .Where(k => k is not ("metadata" or "status" or "apiVersion" or "kind"));
        return keys.Any(k => !JsonNode.DeepEquals(a[k], b[k]));
    }

    /// <summary>Same content apart from resourceVersion and managedFields (a write that changes nothing is a no-op).</summary>
    public static bool SameContent(JsonObject a, JsonObject b)
    {
        var x = Strip(a);
        var y = Strip(b);
        return JsonNode.DeepEquals(x, y);
    }

    private static JsonObject Strip(JsonObject o)
    {
        var c = (JsonObject)o.DeepClone();
        c.Remove("apiVersion");
        if (c["metadata"] is JsonObject m)
        {
            m.Remove("resourceVersion");
            m.Remove("managedFields");
        }
        return c;
    }
}
