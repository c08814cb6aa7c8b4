using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>Server-side apply (PATCH application/apply-patch+yaml): create 201, no-op, conflicts, force (docs/design/kube-api-answers.md §4).</summary>
internal sealed partial class ResourceHandler
{
    private ApiResult Apply(ApiRequest req, RequestTarget t)
    {
        var type = t.Type;
        var manager = req.Q("fieldManager");
        if (string.IsNullOrEmpty(manager))
            throw new KubeApiException(422, KubeStatus.Failure(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", "Invalid", 422,
                new JsonObject
                {
                    ["group"] = "meta.k8s.io", ["kind"] = "PatchOptions",
                    ["causes"] = new JsonArray(new JsonObject
                    {
                        ["reason"] = "FieldValueRequired", ["message"] = "Required value: is required for apply patch", ["field"] = "fieldManager",
                    }),
                }));
        var applied = ParseObject(req, allowYaml: true);
        var apiVersion = (string?)applied["apiVersion"] ?? "";
        var kind = (string?)applied["kind"] ?? "";
        if (apiVersion.Length == 0 || kind.Length == 0)
        {
            var (g, v) = ResourceRegistry.SplitApiVersion(apiVersion);
            throw KubeStatus.BadRequest($"invalid object type: {g}/{v}, Kind={kind}");
        }
        CheckIdentity(t, applied, nameFromUrl: true);
        var unknown = ObjectShape.UnknownFields(type, applied).Where(f => !f.StartsWith("metadata.", StringComparison.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            var where = type.Namespaced ? $"{t.Namespace}/{t.Name}" : t.Name;
            var gvk = type.Group.Length == 0 ? "/" + type.Version : type.ApiVersion;
            throw KubeStatus.InternalError($"failed to create typed patch object ({where}; {gvk}, Kind={type.Kind}): .{unknown[0]}: field not declared in schema");
        }
        var force = string.Equals(req.Q("force"), "true", StringComparison.OrdinalIgnoreCase);
        var subresource = t.Subresource.Length > 0 ? t.Subresource : null;
        var appliedFields = FieldPaths.Leaves(applied);
        if (type.HasStatusSubresource)
            appliedFields.RemoveWhere(p => subresource == "status" ? !p.StartsWith("status", StringComparison.Ordinal) : p.StartsWith("status", StringComparison.Ordinal));

        return rt.Store.Transact(() =>
        {
            var current = rt.Store.Get(type.GroupResource, t.Namespace, t.Name!);
            var now = rt.Now();
            if (current is null)
            {
                if (subresource is not null) throw KubeStatus.NotFound(type.Plural, type.Group, t.Name!);
                EnsureNamespace(type, t.Namespace, t.Name!);
                var obj = PrepareNew(type, applied, t.Namespace, t.Name!);
                var entry = new ManagerEntry { Manager = manager, Operation = "Apply", ApiVersion = apiVersion, Time = now, Fields = appliedFields };
                ManagedFields.Write(obj, [entry], type.IsCustom);
                obj = Commit(type, obj, req.DryRun);
                return new ApiResult(201, Output(type, obj));
            }

            var appliedRv = (string?)applied["metadata"]?["resourceVersion"];
            if (!string.IsNullOrEmpty(appliedRv) && appliedRv != (string?)current["metadata"]?["resourceVersion"])
                throw KubeStatus.Conflict(type.Plural, type.Group, t.Name!);
            var entries = ManagedFields.Read(current);
            var conflicts = new List<(ManagerEntry Entry, string Path)>();
            foreach (var e in entries)
            {
                if (e.SameOwner(manager, "Apply", subresource)) continue;
                foreach (var p in appliedFields)
                    if (e.Fields.Contains(p) && !FieldPaths.ValueEquals(FieldPaths.Get(applied, p), FieldPaths.Get(current, p)))
                        conflicts.Add((e, p));
            }
            if (conflicts.Count > 0)
            {
                if (!force)
                    throw KubeStatus.ApplyConflict(conflicts.Select(c => (c.Entry.ConflictName, FieldPaths.Display(c.Path))).ToList());
                foreach (var (e, p) in conflicts) e.Fields.Remove(p);
            }
            var mine = entries.FirstOrDefault(e => e.SameOwner(manager, "Apply", subresource));
            var isNewEntry = mine is null;
            if (mine is null)
            {
                mine = new ManagerEntry { Manager = manager, Operation = "Apply", ApiVersion = apiVersion, Subresource = subresource };
                entries.Insert(0, mine);
            }
            var next = (JsonObject)current.DeepClone();
            // fields this manager applied before and no longer applies are removed, unless someone else owns them too
            foreach (var p in mine.Fields.Except(appliedFields))
                if (!entries.Any(e => e != mine && e.Fields.Contains(p))) FieldPaths.Remove(next, p);
            foreach (var p in appliedFields) FieldPaths.Set(next, p, FieldPaths.Get(applied, p));
            var fieldsChanged = !mine.Fields.SetEquals(appliedFields);
            mine.Fields = new HashSet<string>(appliedFields, StringComparer.Ordinal);
            mine.ApiVersion = apiVersion;
            if (subresource is null && type.HasStatusSubresource) next["status"] = current["status"]?.DeepClone();
            var meta = Meta(next);
            Defaulting.Apply(type, next, current, rt.Allocator);
            CrdSupport.Default(type, next);
            Validation.Validate(type, next, current);
            CrdSupport.Validate(type, next);
            var cmeta = (JsonObject)current["metadata"]!;
            if (ObjectShape.HasGeneration(type) && ObjectShape.SpecChanged(current, next))
                meta["generation"] = ((long?)cmeta["generation"] ?? 0) + 1;
            var contentChanged = !ObjectShape.SameContent(current, next);
            if (!contentChanged && !fieldsChanged && conflicts.Count == 0 && !isNewEntry)
                return new ApiResult(200, Output(type, current));
            if (contentChanged || isNewEntry || fieldsChanged) mine.Time = now;
            ManagedFields.Write(next, entries, type.IsCustom);
            next = Commit(type, next, req.DryRun);
            if (req.DryRun) ((JsonObject)next["metadata"]!)["resourceVersion"] = cmeta["resourceVersion"]?.DeepClone();
            return new ApiResult(200, Output(type, next));
        });
    }
}
