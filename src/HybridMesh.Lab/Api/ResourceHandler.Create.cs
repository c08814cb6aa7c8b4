using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>POST: create (201), AlreadyExists (409), missing or terminating namespace (404/403).</summary>
internal sealed partial class ResourceHandler
{
    private ApiResult Create(ApiRequest req, RequestTarget t)
    {
        var body = ParseObject(req);
        CheckIdentity(t, body, nameFromUrl: false);
        var warnings = DropUnknown(req, t.Type, body);
        var meta = Meta(body);
        var name = (string?)meta["name"];
        if (string.IsNullOrEmpty(name) && meta["generateName"] is JsonValue gn)
            name = (string?)gn + RandomSuffix(5);
        name ??= "";
        return rt.Store.Transact(() =>
        {
            if (name.Length > 0) EnsureNamespace(t.Type, t.Namespace, name);
            if (name.Length > 0 && rt.Store.Get(t.Type.GroupResource, t.Namespace, name) is not null)
                throw KubeStatus.AlreadyExists(t.Type.Plural, t.Type.Group, name);
            var obj = PrepareNew(t.Type, body, t.Namespace, name);
            // the creator owns what it sent plus what defaulting filled in (but not allocated fields or status)
            ManagedFields.RecordUpdate(null, obj, null, req.Manager, t.Type.ApiVersion, null, rt.Now(), t.Type.IsCustom);
            obj = Commit(t.Type, obj, req.DryRun);
            return new ApiResult(201, Output(t.Type, obj), Headers: warnings);
        });
    }

    public static string RandomSuffix(int n)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, n).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
    }
}
