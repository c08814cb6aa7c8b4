using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>
/// The generic REST verbs over the store: get, list, create, update, patch (apply, merge, strategic, JSON patch),
/// delete, deletecollection, and the status subresource. Kind-specific rules live in Defaulting, Validation and
/// ObjectShape; reviews and TokenRequest in ReviewHandler.
/// </summary>
internal sealed partial class ResourceHandler(ClusterRuntime rt)
{
    private readonly ReviewHandler _reviews = new(rt);

    public ApiResult Handle(ApiRequest req, RequestTarget t)
    {
        if (t.Type.Namespaced && t.Namespace is null && t.Name is not null) throw RequestTarget.NotFoundPath();
        if (BuiltinResources.IsReview(t.Type))
        {
            if (req.Method != "POST" || t.Name is not null) throw KubeStatus.MethodNotAllowed();
            return _reviews.Review(req, t);
        }
        if (t.Subresource.Length > 0 && !t.Type.Subresources.Any(s => s.Name == t.Subresource)) throw RequestTarget.NotFoundPath();
        if (t.Subresource == "scale") return Scale(req, t);
        if (t.Subresource == "token")
        {
            if (req.Method != "POST") throw KubeStatus.MethodNotAllowed();
            return _reviews.TokenRequest(req, t);
        }
        return req.Method switch
        {
            "GET" when t.Name is null => List(req, t),
            "GET" => Get(req, t),
            "POST" when t.Name is null => Create(req, t),
            "PUT" when t.Name is not null => Update(req, t),
            "PATCH" when t.Name is not null => Patch(req, t),
            "DELETE" when t.Name is not null => Delete(req, t),
            "DELETE" => DeleteCollection(req, t),
            _ => throw KubeStatus.MethodNotAllowed(),
        };
    }
}
