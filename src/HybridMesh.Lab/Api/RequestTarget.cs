using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>A parsed resource URL: /api/v1/... or /apis/group/version/..., [namespaces/ns/]plural[/name[/subresource]].</summary>
public sealed record RequestTarget(ResourceType Type, string? Namespace, string? Name, string Subresource)
{
    /// <summary>For pods/{name}[:port]/proxy/{path}: the path after proxy ("/" when none).</summary>
    public string? ProxyPath { get; init; }

    /// <summary>Null when the path is not a resource path. Throws a 404 Status for an unknown resource.</summary>
    public static RequestTarget? Parse(string path, ResourceRegistry registry)
    {
        var segs = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int rest;
        if (segs.Length >= 3 && segs[0] == "api") { group = ""; version = segs[1]; rest = 2; }
        else if (segs.Length >= 4 && segs[0] == "apis") { group = segs[1]; version = segs[2]; rest = 3; }
        else return null;
        var r = segs[rest..].Select(Uri.UnescapeDataString).ToArray();
        if (r.Length >= 3 && r[0] == "namespaces" && registry.Find(group, version, r[2]) is { Namespaced: true } nsType)
        {
            if (r.Length > 5 && r[4] == "proxy")
                return new RequestTarget(nsType, r[1], r[3], "proxy") { ProxyPath = "/" + string.Join('/', r[5..]) };
            if (r.Length > 5) throw NotFoundPath();
            return new RequestTarget(nsType, r[1], r.Length > 3 ? r[3] : null, r.Length > 4 ? r[4] : "");
        }
        var type = registry.Find(group, version, r[0]) ?? throw NotFoundPath();
        if (r.Length > 3) throw NotFoundPath();
        return new RequestTarget(type, null, r.Length > 1 ? r[1] : null, r.Length > 2 ? r[2] : "");
    }

    public static KubeApiException NotFoundPath() =>
        new(404, KubeStatus.Failure("the server could not find the requested resource", "NotFound", 404, new System.Text.Json.Nodes.JsonObject()));
}
