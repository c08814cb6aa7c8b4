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

        foreach (var part in new[] { "labels", "annotations" })
        {
            foreach (var (key, value) in rendered["metadata"]?[part] as JsonObject ?? [])
            {
                if (live["metadata"]?[part]?[key]?.GetValue<string>() != value?.GetValue<string>())
                {
                    return false;
                }
            }
        }

        return JsonNode.DeepEquals(live["data"], rendered["data"]);
    }

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
