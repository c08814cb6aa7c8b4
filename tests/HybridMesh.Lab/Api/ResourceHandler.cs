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
internal sealed class ResourceHandler(ClusterRuntime rt)
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

    // ---- reads ----

    private JsonObject Output(ResourceType t, JsonObject stored)
    {
        if (!t.IsCustom || (string?)stored["apiVersion"] == t.ApiVersion) return stored;
        // conversion strategy None: the same object under another served version, only apiVersion rewritten (§4.8)
        var copy = (JsonObject)stored.DeepClone();
        copy["apiVersion"] = t.ApiVersion;
        return copy;
    }

    private ApiResult Get(ApiRequest req, RequestTarget t)
    {
        var obj = rt.Store.Get(t.Type.GroupResource, t.Namespace, t.Name!) ?? throw KubeStatus.NotFound(t.Type.Plural, t.Type.Group, t.Name!);
        if (TableConverter.Wanted(req.Accept) && t.Subresource.Length == 0)
            return new ApiResult(200, TableConverter.Convert(t.Type, [obj], (string?)obj["metadata"]?["resourceVersion"] ?? "", rt.Clock.GetUtcNow()));
        return new ApiResult(200, Output(t.Type, obj));
    }

    public static (LabelSelector Labels, FieldSelector Fields) Selectors(ApiRequest req, ResourceType t)
    {
        try
        {
            return (LabelSelector.Parse(req.Q("labelSelector")), FieldSelector.Parse(req.Q("fieldSelector"), t.Plural));
        }
        catch (FormatException e)
        {
            throw KubeStatus.BadRequest(e.Message);
        }
    }

    private ApiResult List(ApiRequest req, RequestTarget t)
    {
        var (labels, fields) = Selectors(req, t.Type);
        var (all, revision) = rt.Store.List(t.Type.GroupResource, t.Namespace);
        var matching = all.Where(o => labels.Matches(o["metadata"]?["labels"] as JsonObject) && fields.Matches(o)).ToList();
        var start = 0;
        if (req.Q("continue") is { Length: > 0 } token)
        {
            try
            {
                var c = JsonNode.Parse(TokenIssuerBase64(token))!;
                var startKey = (string?)c["start"] ?? "";
                start = matching.FindIndex(o => string.CompareOrdinal(ObjectStore.Key((string?)o["metadata"]?["namespace"], (string)o["metadata"]!["name"]!), startKey.TrimEnd('\0')) >= 0);
                if (start < 0) start = matching.Count;
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                throw KubeStatus.BadRequest("continue key is not valid: illegal base64 data at input byte 0");
            }
        }
        var limit = int.TryParse(req.Q("limit"), out var l) && l > 0 ? l : int.MaxValue;
        var page = matching.Skip(start).Take(limit).ToList();
        var remaining = matching.Count - start - page.Count;
        var listMeta = new JsonObject();
        var rv = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? continueToken = null;
        if (remaining > 0)
        {
            var next = matching[start + page.Count];
            var key = ObjectStore.Key((string?)next["metadata"]?["namespace"], (string)next["metadata"]!["name"]!);
            var c = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = key + "\0" };
            continueToken = Convert.ToBase64String(Encoding.UTF8.GetBytes(c.ToJsonString())).TrimEnd('=');
        }
        if (TableConverter.Wanted(req.Accept))
        {
            var table = TableConverter.Convert(t.Type, page, rv, rt.Clock.GetUtcNow());
            if (continueToken is not null)
            {
                ((JsonObject)table["metadata"]!)["continue"] = continueToken;
                ((JsonObject)table["metadata"]!)["remainingItemCount"] = remaining;
            }
            return new ApiResult(200, table);
        }
        var items = new JsonArray();
        if (t.Type.IsCustom)
        {
            foreach (var o in page)
            {
                var copy = (JsonObject)o.DeepClone();
                copy["apiVersion"] = t.Type.ApiVersion;
                items.Add(copy);
            }
            listMeta["continue"] = continueToken ?? "";
            if (remaining > 0) listMeta["remainingItemCount"] = remaining;
            listMeta["resourceVersion"] = rv;
            return new ApiResult(200, new JsonObject
            {
                ["apiVersion"] = t.Type.ApiVersion, ["items"] = items, ["kind"] = t.Type.ListKind, ["metadata"] = listMeta,
            });
        }
        foreach (var o in page)
        {
            // items of built-in lists carry no kind/apiVersion (§2)
            var copy = new JsonObject();
            foreach (var (k, v) in o)
                if (k is not ("kind" or "apiVersion")) copy[k] = v?.DeepClone();
            items.Add(copy);
        }
        listMeta["resourceVersion"] = rv;
        if (continueToken is not null)
        {
            listMeta["continue"] = continueToken;
            listMeta["remainingItemCount"] = remaining;
        }
        return new ApiResult(200, new JsonObject
        {
            ["kind"] = t.Type.ListKind, ["apiVersion"] = t.Type.ApiVersion, ["metadata"] = listMeta, ["items"] = items,
        });
    }

    private static string TokenIssuerBase64(string token)
    {
        var b = token.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '=')));
    }

    // ---- bodies ----

    public static JsonNode ParseBody(ApiRequest req, bool allowYaml = false)
    {
        var mt = req.MediaType;
        if (mt == "application/vnd.kubernetes.protobuf") return ProtobufBodies.Decode(req.Body);
        if (mt is "application/json" or "" || mt.EndsWith("+json", StringComparison.Ordinal) || (allowYaml && mt.Contains("yaml")))
        {
            try
            {
                return JsonNode.Parse(req.Body) ?? throw KubeStatus.BadRequest("request body is empty");
            }
            catch (JsonException) when (allowYaml || mt.Contains("yaml"))
            {
                return YamlBody.ToJson(Encoding.UTF8.GetString(req.Body));
            }
            catch (JsonException e)
            {
                throw KubeStatus.BadRequest($"the object provided is unrecognized or malformed: {e.Message}");
            }
        }
        if (mt.Contains("yaml")) return YamlBody.ToJson(Encoding.UTF8.GetString(req.Body));
        throw KubeStatus.UnsupportedMediaType();
    }

    private static JsonObject ParseObject(ApiRequest req, bool allowYaml = false) =>
        ParseBody(req, allowYaml) as JsonObject ?? throw KubeStatus.BadRequest("the object provided is unrecognized (must be an object)");

    private static JsonObject Meta(JsonObject o)
    {
        if (o["metadata"] is JsonObject m) return m;
        m = new JsonObject();
        o["metadata"] = m;
        return m;
    }

    private void EnsureNamespace(ResourceType t, string? ns, string name)
    {
        if (!t.Namespaced || ns is null) return;
        var nsObj = rt.Store.Get("namespaces", null, ns) ?? throw KubeStatus.NotFound("namespaces", "", ns);
        if (nsObj["metadata"]?["deletionTimestamp"] is not null) throw KubeStatus.NamespaceTerminating(t.Plural, t.Group, name, ns);
    }

    private static void CheckIdentity(RequestTarget t, JsonObject body, bool nameFromUrl)
    {
        var meta = Meta(body);
        var bodyNs = (string?)meta["namespace"];
        if (t.Type.Namespaced && !string.IsNullOrEmpty(bodyNs) && bodyNs != t.Namespace)
            throw KubeStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        if (nameFromUrl)
        {
            var bodyName = (string?)meta["name"];
            if (!string.IsNullOrEmpty(bodyName) && bodyName != t.Name)
                throw KubeStatus.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({t.Name})");
        }
    }

    private static List<KeyValuePair<string, string>> DropUnknown(ResourceType t, JsonObject body)
    {
        var warnings = new List<KeyValuePair<string, string>>();
        foreach (var f in ObjectShape.UnknownFields(t, body))
        {
            ObjectShape.RemoveField(body, f);
            warnings.Add(new("Warning", $"299 - \"unknown field \\\"{f}\\\"\""));
        }
        return warnings;
    }

    /// <summary>A new object from a client body: server fields reset, defaults, validation, identity.</summary>
    private JsonObject PrepareNew(ResourceType t, JsonObject body, string? ns, string name)
    {
        var obj = (JsonObject)body.DeepClone();
        obj["apiVersion"] = t.ApiVersion;
        obj["kind"] = t.Kind;
        var meta = Meta(obj);
        foreach (var f in new[] { "uid", "resourceVersion", "creationTimestamp", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink" })
            meta.Remove(f);
        meta["name"] = name;
        if (t.Namespaced) meta["namespace"] = ns;
        else meta.Remove("namespace");
        if (t.HasStatusSubresource) obj.Remove("status");
        Defaulting.Apply(t, obj, null, rt.Allocator);
        CrdSupport.Default(t, obj);
        Validation.Validate(t, obj, null);
        CrdSupport.Validate(t, obj);
        meta["uid"] = Guid.NewGuid().ToString();
        if (ObjectShape.HasGeneration(t)) meta["generation"] = 1;
        meta["creationTimestamp"] = rt.Now();
        return obj;
    }

    private JsonObject Commit(ResourceType t, JsonObject obj, bool dryRun)
    {
        obj = KeyOrder.Canonical(obj, t.IsCustom);
        if (!dryRun)
        {
            obj = rt.Store.Put(t.GroupResource, obj);
            CrdSupport.AfterWrite(rt, t, obj);
        }
        else if (obj["metadata"] is JsonObject m && m["resourceVersion"] is null) m.Remove("resourceVersion");
        return obj;
    }

    // ---- create ----

    private ApiResult Create(ApiRequest req, RequestTarget t)
    {
        var body = ParseObject(req);
        CheckIdentity(t, body, nameFromUrl: false);
        var warnings = DropUnknown(t.Type, body);
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

    // ---- update / patch ----

    private ApiResult Update(ApiRequest req, RequestTarget t)
    {
        var body = ParseObject(req);
        CheckIdentity(t, body, nameFromUrl: true);
        var warnings = DropUnknown(t.Type, body);
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

    // ---- server-side apply ----

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

    // ---- scale subresource (kubectl scale) ----

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

    // ---- delete ----

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
                // kept until finalizers are done: 200 with the object (§3.9, §3.10)
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
