using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>Reading remote secrets already in a cluster: is one current, which cluster does another one point at.</summary>
internal static partial class RemoteSecrets
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

    /// <summary>The API server addresses in the kubeconfigs it holds (nothing else of them is looked at).</summary>
    public static IEnumerable<string> Servers(JsonObject secret)
    {
        foreach (var (_, value) in secret["data"] as JsonObject ?? [])
        {
            string text;
            try
            {
                text = Encoding.UTF8.GetString(Convert.FromBase64String(value?.GetValue<string>() ?? ""));
            }
            catch (FormatException)
            {
                continue;
            }

            foreach (Match match in ServerLine().Matches(text))
            {
                yield return match.Groups[1].Value.Trim('"', '\'');
            }
        }
    }

    [GeneratedRegex(@"^\s*server:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ServerLine();
}
