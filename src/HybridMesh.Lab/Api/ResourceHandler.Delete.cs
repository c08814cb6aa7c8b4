using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>DELETE and deletecollection: Status for immediate deletes, the object when finalizers keep it (docs/design/kube-api-answers.md §3.8-§3.10).</summary>
internal sealed partial class ResourceHandler
{
    private static string? PropagationPolicy(ApiRequest req)
    {
        var p = req.Q("propagationPolicy");
        if (p is not null) return p;
        if (req.Body.Length == 0) return null;
        try
        {
            return (string?)(JsonNode.Parse(req.Body) as JsonObject)?["propagationPolicy"];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ApiResult Delete(ApiRequest req, RequestTarget t)
    {
        var type = t.Type;
        var policy = PropagationPolicy(req);
        return rt.Store.Transact(() =>
        {
            var current = rt.Store.Get(type.GroupResource, t.Namespace, t.Name!) ?? throw KubeStatus.NotFound(type.Plural, type.Group, t.Name!);
            var meta = (JsonObject)current["metadata"]!;
            if (meta["deletionTimestamp"] is not null) return new ApiResult(200, Output(type, current));
            var finalizers = (meta["finalizers"] as JsonArray)?.Select(f => (string?)f).ToList() ?? [];
            var isNamespace = type.Plural == "namespaces" && type.Group.Length == 0;
            if (isNamespace || finalizers.Count > 0 || policy is "Foreground" or "Orphan")
            {
                // kept until finalizers are done: 200 with the object (docs/design/kube-api-answers.md §3.9, §3.10)
                var next = (JsonObject)current.DeepClone();
                var nmeta = (JsonObject)next["metadata"]!;
                nmeta["deletionTimestamp"] = rt.Now();
                nmeta["deletionGracePeriodSeconds"] = 0;
                if (isNamespace) ((JsonObject)next["status"]!)["phase"] = "Terminating";
                else
                {
                    var f = nmeta["finalizers"] as JsonArray ?? [];
                    var extra = policy switch { "Foreground" => "foregroundDeletion", "Orphan" => "orphan", _ => null };
                    if (extra is not null && !f.Any(x => (string?)x == extra)) f.Add(extra);
                    nmeta["finalizers"] = f.DeepClone();
                    if (isNamespace) nmeta.Remove("deletionGracePeriodSeconds");
                }
                if (isNamespace) nmeta.Remove("deletionGracePeriodSeconds");
                next = Commit(type, next, req.DryRun);
                return new ApiResult(200, Output(type, next));
            }
            if (!req.DryRun)
            {
                rt.Store.Remove(type.GroupResource, t.Namespace, t.Name!);
                CrdSupport.AfterDelete(rt, type, current);
            }
            return new ApiResult(200, KubeStatus.Success(t.Name!, type.Group, type.Plural, (string?)meta["uid"]));
        });
    }

    private ApiResult DeleteCollection(ApiRequest req, RequestTarget t)
    {
        var (labels, fields) = Selectors(req, t.Type);
        return rt.Store.Transact(() =>
        {
            var items = new JsonArray();
            foreach (var o in rt.Store.List(t.Type.GroupResource, t.Namespace).Items.ToList())
            {
                if (!labels.Matches(o["metadata"]?["labels"] as JsonObject) || !fields.Matches(o)) continue;
                if (!req.DryRun)
                {
                    rt.Store.Remove(t.Type.GroupResource, (string?)o["metadata"]?["namespace"], (string)o["metadata"]!["name"]!);
                    CrdSupport.AfterDelete(rt, t.Type, o);
                }
                items.Add(o.DeepClone());
            }
            return new ApiResult(200, new JsonObject
            {
                ["kind"] = t.Type.ListKind, ["apiVersion"] = t.Type.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = rt.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = items,
            });
        });
    }
}
