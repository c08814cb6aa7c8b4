using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Manifests;

/// <summary>Reads the identity of a rendered Kubernetes object, for ShouldProcess targets, progress and reports.</summary>
internal static class ManifestObjects
{
    public static string ApiVersion(JsonObject obj) => obj["apiVersion"]?.GetValue<string>() ?? "";

    public static string Kind(JsonObject obj) => obj["kind"]?.GetValue<string>() ?? "";

    public static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    /// <summary>Empty for cluster-scoped objects (ClusterRole, ClusterRoleBinding).</summary>
    public static string Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>() ?? "";

    /// <summary>"Kind namespace/name" or "Kind name", as kubectl prints it.</summary>
    public static string Describe(JsonObject obj)
    {
        var ns = Namespace(obj);
        return ns.Length == 0 ? $"{Kind(obj)} {Name(obj)}" : $"{Kind(obj)} {ns}/{Name(obj)}";
    }

    /// <summary>A metadata object; labels always include the managed-by label.</summary>
    internal static JsonObject Metadata(string name, string? ns, IEnumerable<KeyValuePair<string, string>> labels,
        IEnumerable<KeyValuePair<string, string>>? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (!string.IsNullOrEmpty(ns))
        {
            metadata["namespace"] = ns;
        }

        var labelObject = StringMap(labels);
        labelObject[ManifestLabels.ManagedByKey] = ManifestLabels.ManagedByValue;
        metadata["labels"] = labelObject;
        if (annotations is not null)
        {
            var annotationObject = StringMap(annotations);
            if (annotationObject.Count > 0)
            {
                metadata["annotations"] = annotationObject;
            }
        }

        return metadata;
    }

    internal static JsonObject StringMap(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            map[key] = value;
        }

        return map;
    }

    internal static JsonArray Strings(IEnumerable<string> values) =>
        new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
