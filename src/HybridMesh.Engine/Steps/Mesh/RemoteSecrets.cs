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
    public static bool IsCurrent(Check.RemoteSecretEntry? live, JsonObject rendered)
    {
        if (live is null)
        {
            return false;
        }

        // Asked once per link (62,250 times in a 250-cluster re-run), so it reads the values in place; the listed
        // values are shared strings (KubeListStrings), so equal ones are usually the same instance.
        var metadata = rendered["metadata"] as JsonObject;
        foreach (var (key, value) in metadata?["labels"] as JsonObject ?? [])
        {
            if (live.Label(key) != Text(value))
            {
                return false;
            }
        }

        foreach (var (key, value) in metadata?["annotations"] as JsonObject ?? [])
        {
            if (live.Annotation(key) != Text(value))
            {
                return false;
            }
        }

        // The same data keys with the same values (a value that is no string never matches a rendered one).
        var data = rendered["data"] as JsonObject ?? [];
        if (data.Count != live.Data.Count)
        {
            return false;
        }

        foreach (var (key, value) in data)
        {
            if (!live.TryGetData(key, out var text) || text is null || !string.Equals(text, Text(value), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The cluster names a remote secret serves: its data keys and its cluster annotation.</summary>
    public static IEnumerable<string> ClusterNames(Check.RemoteSecretEntry secret)
    {
        foreach (var (key, _) in secret.Data)
        {
            yield return key;
        }

        if (secret.Annotation(RemoteSecretRenderer.ClusterAnnotation) is { } name)
        {
            yield return name;
        }
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
