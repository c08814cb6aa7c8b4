using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>PUT and merge/strategic/JSON patches, on the object or its status subresource.</summary>
internal sealed partial class ResourceHandler
{
    private ApiResult Update(ApiRequest req, RequestTarget t)
    {
        var body = ParseObject(req);
        CheckIdentity(t, body, nameFromUrl: true);
        var warnings = DropUnknown(req, t.Type, body);
        return rt.Store.Transact(() =>
        {
            var current = rt.Store.Get(t.Type.GroupResource, t.Namespace, t.Name!) ?? throw KubeStatus.NotFound(t.Type.Plural, t.Type.Group, t.Name!);
            var rv = (string?)body["metadata"]?["resourceVersion"];
            if (!string.IsNullOrEmpty(rv) && rv != (string?)current["metadata"]?["resourceVersion"])
                throw KubeStatus.Conflict(t.Type.Plural, t.Type.Group, t.Name!);
            JsonObject next;
            if (t.Subresource == "status")
            {
                next = (JsonObject)current.DeepClone();
                next["status"] = body["status"]?.DeepClone();
            }
            else
            {
                next = (JsonObject)body.DeepClone();
                if (t.Type.HasStatusSubresource) next["status"] = current["status"]?.DeepClone();
            }
            var result = FinishUpdate(req, t, current, next, null);
            return result with { Headers = warnings };
        });
    }

    private ApiResult Patch(ApiRequest req, RequestTarget t)
    {
        var mt = req.MediaType;
        if (mt == "application/apply-patch+yaml") return Apply(req, t);
        if (mt is not ("application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/json-patch+json"))
            throw KubeStatus.UnsupportedMediaType();
        var patch = ParseBody(req);
        return rt.Store.Transact(() =>
        {
            var current = rt.Store.Get(t.Type.GroupResource, t.Namespace, t.Name!) ?? throw KubeStatus.NotFound(t.Type.Plural, t.Type.Group, t.Name!);
            JsonObject patched;
            JsonObject? sent = null;
            if (mt == "application/json-patch+json")
            {
                patched = Patches.JsonPatch(current, patch as JsonArray ?? throw KubeStatus.BadRequest("json patch must be an array"));
            }
            else
            {
                var po = patch as JsonObject ?? throw KubeStatus.BadRequest("merge patch must be an object");
                var rv = (string?)po["metadata"]?["resourceVersion"];
                if (!string.IsNullOrEmpty(rv) && rv != (string?)current["metadata"]?["resourceVersion"])
                    throw KubeStatus.Conflict(t.Type.Plural, t.Type.Group, t.Name!);
                patched = Patches.Merge((JsonObject)current.DeepClone(), po, mt == "application/strategic-merge-patch+json");
                sent = po;
            }
            JsonObject next;
            if (t.Subresource == "status")
            {
                next = (JsonObject)current.DeepClone();
                next["status"] = patched["status"]?.DeepClone();
            }
            else
            {
                next = patched;
                if (t.Type.HasStatusSubresource) next["status"] = current["status"]?.DeepClone();
            }
            return FinishUpdate(req, t, current, next, sent);
        });
    }

    /// <summary>Common tail of PUT and PATCH: keep identity, default, validate, bump generation, skip no-ops, record ownership.</summary>
    private ApiResult FinishUpdate(ApiRequest req, RequestTarget t, JsonObject current, JsonObject next, JsonObject? sent)
    {
        var type = t.Type;
        next["apiVersion"] = type.ApiVersion;
        next["kind"] = type.Kind;
        var meta = Meta(next);
        var cmeta = (JsonObject)current["metadata"]!;
        meta["name"] = t.Name;
        if (type.Namespaced) meta["namespace"] = t.Namespace;
        foreach (var f in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion" })
        {
            if (cmeta[f] is { } v) meta[f] = v.DeepClone();
            else meta.Remove(f);
        }
        meta["managedFields"] = cmeta["managedFields"]?.DeepClone();
        if (meta["managedFields"] is null) meta.Remove("managedFields");
        Defaulting.Apply(type, next, current, rt.Allocator);
        CrdSupport.Default(type, next);
        Validation.Validate(type, next, current);
        CrdSupport.Validate(type, next);
        if (ObjectShape.HasGeneration(type) && ObjectShape.SpecChanged(current, next))
            meta["generation"] = ((long?)cmeta["generation"] ?? 0) + 1;
        next = KeyOrder.Canonical(next, type.IsCustom);
        if (ObjectShape.SameContent(current, next)) return new ApiResult(200, Output(type, current));
        ManagedFields.RecordUpdate(current, next, sent, req.Manager, type.ApiVersion, t.Subresource.Length > 0 ? t.Subresource : null, rt.Now(), type.IsCustom);
        if (meta["deletionTimestamp"] is not null && (meta["finalizers"] as JsonArray ?? []).Count == 0)
        {
            // the last finalizer is gone: the object goes away now
            if (!req.DryRun)
            {
                rt.Store.Remove(type.GroupResource, t.Namespace, t.Name!);
                CrdSupport.AfterDelete(rt, type, next);
            }
            return new ApiResult(200, Output(type, next));
        }
        next = Commit(type, next, req.DryRun);
        return new ApiResult(200, Output(type, next));
    }
}
