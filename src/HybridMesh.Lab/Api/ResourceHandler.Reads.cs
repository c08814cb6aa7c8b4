using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>Reads: get (with conversion None for custom resources), list with selectors and paging, Table answers.</summary>
internal sealed partial class ResourceHandler
{
    private JsonObject Output(ResourceType t, JsonObject stored)
    {
        if (!t.IsCustom || (string?)stored["apiVersion"] == t.ApiVersion) return stored;
        // conversion strategy None: the same object under another served version, only apiVersion rewritten (docs/design/kube-api-answers.md §4.8)
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
            // items of built-in lists carry no kind/apiVersion (docs/design/kube-api-answers.md §2)
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
}
