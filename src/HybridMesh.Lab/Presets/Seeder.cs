using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Api;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Server;

namespace HybridMesh.Lab.Presets;

/// <summary>
/// Writes objects through the same handler clients use (so defaults, managedFields, CRD registration and
/// controllers all happen), as the cluster admin.
/// </summary>
internal sealed class Seeder(ClusterRuntime rt)
{
    private static readonly UserInfo System = new("system:admin", null, ["system:masters", "system:authenticated"]);
    private readonly ResourceHandler _handler = new(rt);

    private RequestTarget Target(JsonObject obj)
    {
        var apiVersion = (string?)obj["apiVersion"] ?? "";
        var kind = (string?)obj["kind"] ?? "";
        var type = rt.Registry.FindByKind(apiVersion, kind)
                   ?? throw KubeStatus.BadRequest($"no resource serves {apiVersion}, Kind={kind}");
        var name = (string?)obj["metadata"]?["name"] ?? "";
        var ns = type.Namespaced ? (string?)obj["metadata"]?["namespace"] ?? "default" : null;
        return new RequestTarget(type, ns, name, "");
    }

    /// <summary>Server-side apply with force, as <paramref name="manager"/>.</summary>
    public JsonObject Apply(JsonObject obj, string manager = "lab-preset")
    {
        var t = Target(obj);
        var req = new ApiRequest("PATCH", "", new Dictionary<string, string> { ["fieldManager"] = manager, ["force"] = "true" },
            "application/apply-patch+yaml", "application/json", null, Encoding.UTF8.GetBytes(obj.ToJsonString()), System);
        return (JsonObject)_handler.Handle(req, t).Body!;
    }

    /// <summary>Creates the object, or replaces it unconditionally (PUT without resourceVersion) if it exists.</summary>
    public (int Code, JsonNode? Body) Upsert(JsonObject obj, string manager = "lab-control")
    {
        var t = Target(obj);
        var exists = rt.Store.Get(t.Type.GroupResource, t.Namespace, t.Name!) is not null;
        var body = (JsonObject)obj.DeepClone();
        (body["metadata"] as JsonObject)?.Remove("resourceVersion");
        var query = new Dictionary<string, string> { ["fieldManager"] = manager };
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var req = new ApiRequest(exists ? "PUT" : "POST", "", query, "application/json", "application/json", null, bytes, System);
        var result = _handler.Handle(req, exists ? t : t with { Name = null });
        return (result.Code, result.Body);
    }

    public void Status(JsonObject obj, JsonObject status, string manager = "lab-preset")
    {
        var t = Target(obj) with { Subresource = "status" };
        var patch = new JsonObject { ["status"] = status.DeepClone() };
        var req = new ApiRequest("PATCH", "", new Dictionary<string, string> { ["fieldManager"] = manager },
            "application/merge-patch+json", "application/json", null, Encoding.UTF8.GetBytes(patch.ToJsonString()), System);
        _handler.Handle(req, t);
    }
}
