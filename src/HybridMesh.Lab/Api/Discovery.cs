using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>
/// /version, legacy discovery (/api, /api/v1, /apis, /apis/g, /apis/g/v) and aggregated discovery
/// (apidiscovery.k8s.io/v2, which kubectl asks for on /api and /apis), shaped as docs/design/kube-api-answers.md §1 records.
/// </summary>
internal sealed class Discovery(ClusterRuntime rt)
{
    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public static JsonObject Version() => new()
    {
        ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.13", ["gitCommit"] = "63adf010aa20e104c0b7043b47f42f50c9f72b17",
        ["gitTreeState"] = "clean", ["buildDate"] = "2025-02-12T21:33:17Z", ["goVersion"] = "go1.23.5", ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static bool WantsAggregated(string accept) =>
        accept.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) && accept.Contains("v=v2", StringComparison.Ordinal);

    /// <summary>Null when the path is not a discovery path or names a group/version that is not served.</summary>
    public ApiResult? Handle(string path, string accept)
    {
        var segs = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var reg = rt.Registry;
        switch (segs.Length)
        {
            case 1 when segs[0] == "api":
                return WantsAggregated(accept) ? Aggregated(core: true) : new ApiResult(200, new JsonObject
                {
                    ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = rt.ServerAddress }),
                });
            case 2 when segs[0] == "api" && segs[1] == "v1":
                return new ApiResult(200, ResourceList("", "v1", withApiVersion: false));
            case 1 when segs[0] == "apis":
                if (WantsAggregated(accept)) return Aggregated(core: false);
                var groups = new JsonArray();
                foreach (var g in reg.GroupNames.Where(g => g.Length > 0)) groups.Add(Group(g));
                return new ApiResult(200, new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups });
            case 2 when segs[0] == "apis" && reg.VersionsOf(segs[1]).Count > 0:
                var group = Group(segs[1]);
                group.Insert(0, "apiVersion", "v1");
                group.Insert(0, "kind", "APIGroup");
                return new ApiResult(200, group);
            case 3 when segs[0] == "apis" && reg.VersionsOf(segs[1]).Contains(segs[2]):
                return new ApiResult(200, ResourceList(segs[1], segs[2], withApiVersion: true));
            default:
                return null;
        }
    }

    private JsonObject Group(string g)
    {
        var versions = new JsonArray();
        foreach (var v in rt.Registry.VersionsOf(g)) versions.Add(new JsonObject { ["groupVersion"] = $"{g}/{v}", ["version"] = v });
        var preferred = rt.Registry.VersionsOf(g)[0];
        return new JsonObject
        {
            ["name"] = g, ["versions"] = versions,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{g}/{preferred}", ["version"] = preferred },
        };
    }

    private static JsonArray Strings(IEnumerable<string> s) => new(s.Select(x => (JsonNode?)x).ToArray());

    private JsonObject ResourceList(string g, string v, bool withApiVersion)
    {
        var resources = new JsonArray();
        foreach (var t in rt.Registry.InGroupVersion(g, v).OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var r = new JsonObject
            {
                ["name"] = t.Plural, ["singularName"] = t.Singular, ["namespaced"] = t.Namespaced, ["kind"] = t.Kind, ["verbs"] = Strings(t.Verbs),
            };
            if (t.ShortNames.Length > 0) r["shortNames"] = Strings(t.ShortNames);
            if (t.Categories.Length > 0) r["categories"] = Strings(t.Categories);
            if (t.StorageVersionHash is not null) r["storageVersionHash"] = t.StorageVersionHash;
            resources.Add(r);
            foreach (var s in t.Subresources)
            {
                var sr = new JsonObject { ["name"] = $"{t.Plural}/{s.Name}", ["singularName"] = "", ["namespaced"] = t.Namespaced };
                if (s.Group is not null) { sr["group"] = s.Group; sr["version"] = s.Version; }
                sr["kind"] = s.Kind;
                sr["verbs"] = Strings(s.Verbs);
                resources.Add(sr);
            }
        }
        var list = new JsonObject { ["kind"] = "APIResourceList" };
        if (withApiVersion) list["apiVersion"] = "v1";
        list["groupVersion"] = g.Length == 0 ? v : $"{g}/{v}";
        list["resources"] = resources;
        return list;
    }

    private ApiResult Aggregated(bool core)
    {
        var items = new JsonArray();
        foreach (var g in rt.Registry.GroupNames.Where(g => (g.Length == 0) == core))
        {
            var versions = new JsonArray();
            foreach (var v in rt.Registry.VersionsOf(g))
            {
                var resources = new JsonArray();
                foreach (var t in rt.Registry.InGroupVersion(g, v).OrderBy(t => t.Plural, StringComparer.Ordinal))
                {
                    var r = new JsonObject
                    {
                        ["resource"] = t.Plural,
                        ["responseKind"] = new JsonObject
                        {
                            ["group"] = t.IsCustom ? t.Group : "", ["version"] = t.IsCustom ? t.Version : "", ["kind"] = t.Kind,
                        },
                        ["scope"] = t.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = t.Singular,
                        ["verbs"] = Strings(t.Verbs),
                    };
                    if (t.ShortNames.Length > 0) r["shortNames"] = Strings(t.ShortNames);
                    if (t.Categories.Length > 0) r["categories"] = Strings(t.Categories);
                    if (t.Subresources.Length > 0)
                    {
                        var subs = new JsonArray();
                        foreach (var s in t.Subresources)
                            subs.Add(new JsonObject
                            {
                                ["subresource"] = s.Name,
                                ["responseKind"] = new JsonObject { ["group"] = s.Group ?? "", ["version"] = s.Version ?? "", ["kind"] = s.Kind },
                                ["verbs"] = Strings(s.Verbs),
                            });
                        r["subresources"] = subs;
                    }
                    resources.Add(r);
                }
                versions.Add(new JsonObject { ["version"] = v, ["resources"] = resources, ["freshness"] = "Current" });
            }
            var meta = new JsonObject();
            if (!core) meta["name"] = g;
            meta["creationTimestamp"] = null;
            items.Add(new JsonObject { ["metadata"] = meta, ["versions"] = versions });
        }
        var body = new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList", ["apiVersion"] = "apidiscovery.k8s.io/v2", ["metadata"] = new JsonObject(), ["items"] = items,
        };
        var etag = "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body.ToJsonString())))[..32] + "\"";
        return new ApiResult(200, body, AggregatedContentType,
            [new("Etag", etag), new("Vary", "Accept"), new("Cache-Control", "public")]);
    }
}
