using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>Request bodies and the steps every write shares: parsing, identity checks, new-object preparation, commit.</summary>
internal sealed partial class ResourceHandler
{
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

    /// <summary>
    /// Unknown fields in a POST/PUT body: with fieldValidation=Strict a 400 strict decoding error, with Ignore
    /// silently dropped, otherwise (Warn, the default) dropped with one Warning header each (docs/design/kube-api-answers.md §4.6).
    /// </summary>
    private static List<KeyValuePair<string, string>> DropUnknown(ApiRequest req, ResourceType t, JsonObject body)
    {
        var warnings = new List<KeyValuePair<string, string>>();
        var unknown = ObjectShape.UnknownFields(t, body);
        var mode = req.Q("fieldValidation");
        if (unknown.Count > 0 && mode == "Strict")
            throw KubeStatus.BadRequest($"{t.Kind} in version \"{t.Version}\" cannot be handled as a {t.Kind}: strict decoding error: "
                + string.Join(", ", unknown.Select(f => $"unknown field \"{f}\"")));
        foreach (var f in unknown)
        {
            ObjectShape.RemoveField(body, f);
            if (mode != "Ignore") warnings.Add(new("Warning", $"299 - \"unknown field \\\"{f}\\\"\""));
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
}
