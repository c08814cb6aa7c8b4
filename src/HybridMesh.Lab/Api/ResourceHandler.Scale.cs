using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>deployments/scale (autoscaling/v1 Scale), as kubectl scale uses it.</summary>
internal sealed partial class ResourceHandler
{
    /// <summary>deployments/scale as autoscaling/v1 Scale: GET reads spec.replicas, PATCH/PUT writes it.</summary>
    private ApiResult Scale(ApiRequest req, RequestTarget t)
    {
        JsonObject ToScale(JsonObject d)
        {
            var selector = d["spec"]?["selector"]?["matchLabels"] as JsonObject;
            return new JsonObject
            {
                ["kind"] = "Scale", ["apiVersion"] = "autoscaling/v1",
                ["metadata"] = new JsonObject
                {
                    ["name"] = t.Name, ["namespace"] = t.Namespace, ["uid"] = d["metadata"]?["uid"]?.DeepClone(),
                    ["resourceVersion"] = d["metadata"]?["resourceVersion"]?.DeepClone(), ["creationTimestamp"] = d["metadata"]?["creationTimestamp"]?.DeepClone(),
                },
                ["spec"] = new JsonObject { ["replicas"] = d["spec"]?["replicas"]?.DeepClone() },
                ["status"] = new JsonObject
                {
                    ["replicas"] = (int?)d["status"]?["replicas"] ?? 0,
                    ["selector"] = string.Join(",", (selector ?? new JsonObject()).Select(kv => $"{kv.Key}={(string?)kv.Value}")),
                },
            };
        }
        var current = rt.Store.Get(t.Type.GroupResource, t.Namespace, t.Name!) ?? throw KubeStatus.NotFound(t.Type.Plural, t.Type.Group, t.Name!);
        if (req.Method == "GET") return new ApiResult(200, ToScale(current));
        if (req.Method is not ("PUT" or "PATCH")) throw KubeStatus.MethodNotAllowed();
        var body = ParseBody(req);
        var scale = ToScale(current);
        scale = req.Method == "PUT"
            ? body as JsonObject ?? throw KubeStatus.BadRequest("Scale body must be an object")
            : req.MediaType == "application/json-patch+json"
                ? Patches.JsonPatch(scale, body as JsonArray ?? throw KubeStatus.BadRequest("json patch must be an array"))
                : req.MediaType is "application/merge-patch+json" or "application/strategic-merge-patch+json"
                    ? Patches.Merge(scale, body as JsonObject ?? throw KubeStatus.BadRequest("merge patch must be an object"), false)
                    : throw KubeStatus.UnsupportedMediaType();
        var replicas = (long?)scale["spec"]?["replicas"] ?? 0;
        var patch = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
        var inner = req with
        {
            Method = "PATCH", ContentType = "application/merge-patch+json",
            Body = System.Text.Encoding.UTF8.GetBytes(patch.ToJsonString()),
        };
        var result = Patch(inner, t with { Subresource = "" });
        return new ApiResult(200, ToScale((JsonObject)result.Body!));
    }
}
