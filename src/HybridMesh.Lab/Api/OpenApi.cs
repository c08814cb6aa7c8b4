using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;

namespace HybridMesh.Lab.Api;

/// <summary>
/// A minimal OpenAPI v3 surface. kubectl apply downloads it to learn whether the server takes fieldValidation and
/// refuses to apply without it (docs/design/kube-api-answers.md §11); the index plus per-group-version documents declaring the PATCH operations with
/// a fieldValidation parameter is what it needs. No schemas are served.
/// </summary>
internal sealed class OpenApi(ClusterRuntime rt)
{
    public ApiResult? Handle(string path)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed == "/openapi/v3")
        {
            var paths = new JsonObject();
            foreach (var gv in GroupVersions())
            {
                var rel = gv.Group.Length == 0 ? $"api/{gv.Version}" : $"apis/{gv.Group}/{gv.Version}";
                paths[rel] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{rel}?hash={Hash(Document(gv.Group, gv.Version))}" };
            }
            return new ApiResult(200, new JsonObject { ["paths"] = paths });
        }
        if (!trimmed.StartsWith("/openapi/v3/", StringComparison.Ordinal)) return null;
        var segs = trimmed["/openapi/v3/".Length..].Split('/');
        (string Group, string Version)? target = segs switch
        {
            ["api", var v] => ("", v),
            ["apis", var g, var v] => (g, v),
            _ => null,
        };
        if (target is null || !GroupVersions().Contains(target.Value)) return null;
        return new ApiResult(200, Document(target.Value.Group, target.Value.Version));
    }

    private HashSet<(string Group, string Version)> GroupVersions() => rt.Registry.All.Select(t => (t.Group, t.Version)).ToHashSet();

    private static string Hash(JsonObject doc) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(doc.ToJsonString())))[..32];

    private JsonObject Document(string group, string version)
    {
        var paths = new JsonObject();
        var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        foreach (var t in rt.Registry.InGroupVersion(group, version).OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = t.Kind };
            var path = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
            var op = new JsonObject
            {
                ["x-kubernetes-group-version-kind"] = gvk,
                ["parameters"] = new JsonArray(
                    new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                    new JsonObject { ["name"] = "force", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "boolean" } }),
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            };
            var post = op.DeepClone();
            paths[path] = new JsonObject { ["patch"] = op, ["put"] = op.DeepClone() };
            var collection = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}" : $"{prefix}/{t.Plural}";
            paths[collection] = new JsonObject { ["post"] = post };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.13" },
            ["paths"] = paths,
        };
    }
}
