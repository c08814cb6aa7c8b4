using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// Remote secrets already in a cluster: is one current, which cluster names it carries. Their kubeconfigs are parsed
/// only by Check/RemoteSecretKubeconfig.
/// </summary>
internal static class RemoteSecrets
{
    /// <summary>True when the live Secret already holds what was rendered (labels, annotation, data).</summary>
    public static bool IsCurrent(JsonObject? live, JsonObject rendered)
    {
        if (live is null)
        {
            return false;
        }

        // Asked once per link (62,250 times in a 250-cluster re-run), so it reads the values in place; the listed
        // values are shared strings (KubeListStrings), so equal ones are usually the same instance.
        var liveMetadata = live["metadata"] as JsonObject;
        var renderedMetadata = rendered["metadata"] as JsonObject;
        return Holds(liveMetadata?["labels"], renderedMetadata?["labels"])
            && Holds(liveMetadata?["annotations"], renderedMetadata?["annotations"])
            && SameData(live["data"], rendered["data"]);
    }

    /// <summary>Every key of <paramref name="wanted"/> is in <paramref name="live"/> with the same text.</summary>
    private static bool Holds(JsonNode? live, JsonNode? wanted)
    {
        foreach (var (key, value) in wanted as JsonObject ?? [])
        {
            if (Text(live?[key]) != Text(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The same keys with the same values (JsonNode.DeepEquals, without its per-value work for strings).</summary>
    private static bool SameData(JsonNode? live, JsonNode? rendered)
    {
        if (live is not JsonObject liveData || rendered is not JsonObject renderedData)
        {
            return JsonNode.DeepEquals(live, rendered);
        }

        if (liveData.Count != renderedData.Count)
        {
            return false;
        }

        foreach (var (key, value) in renderedData)
        {
            if (!liveData.TryGetPropertyValue(key, out var other))
            {
                return false;
            }

            var same = Text(value) is { } text && Text(other) is { } otherText
                ? string.Equals(text, otherText, StringComparison.Ordinal)
                : JsonNode.DeepEquals(value, other);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The cluster names a remote secret serves: its data keys and its cluster annotation.</summary>
    public static IEnumerable<string> ClusterNames(JsonObject secret)
    {
        foreach (var (key, _) in secret["data"] as JsonObject ?? [])
        {
            yield return key;
        }

        if (secret["metadata"]?["annotations"]?[RemoteSecretRenderer.ClusterAnnotation]?.GetValue<string>() is { } name)
        {
            yield return name;
        }
    }
}
