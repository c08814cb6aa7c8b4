using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Store;

/// <summary>
/// What one cluster serves: the built-ins plus every version of every established CRD. Rebuilt as an immutable
/// snapshot whenever a CRD changes, so readers never lock.
/// </summary>
public sealed class ResourceRegistry
{
    private volatile Snapshot _snapshot;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<ResourceType>> _crdTypes = new(StringComparer.Ordinal);

    public ResourceRegistry() => _snapshot = new Snapshot(BuiltinResources.All);

    public IReadOnlyList<ResourceType> All => _snapshot.Types;

    public ResourceType? Find(string group, string version, string plural) =>
        _snapshot.ByGvr.GetValueOrDefault((group, version, plural));

    /// <summary>Served versions of a group, highest priority first (Kubernetes version ordering).</summary>
    public IReadOnlyList<string> VersionsOf(string group) => _snapshot.Groups.GetValueOrDefault(group) ?? [];

    public IReadOnlyList<string> GroupNames => _snapshot.GroupOrder;

    public IEnumerable<ResourceType> InGroupVersion(string group, string version) =>
        _snapshot.Types.Where(t => t.Group == group && t.Version == version);

    /// <summary>Finds a resource by kind in any served version of a group (used by the control API dump).</summary>
    public ResourceType? FindByKind(string apiVersion, string kind)
    {
        var (g, v) = SplitApiVersion(apiVersion);
        return _snapshot.Types.FirstOrDefault(t => t.Group == g && t.Version == v && t.Kind == kind);
    }

    /// <summary>The resource type (any version) for a GroupResource key, e.g. "secrets" or "gateways.networking.istio.io".</summary>
    public ResourceType? FindGroupResource(string group, string plural) =>
        _snapshot.Types.FirstOrDefault(t => t.Group == group && t.Plural == plural);

    internal void SetCrd(string crdName, JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = (string?)spec?["group"] ?? "";
        var names = spec?["names"] as JsonObject;
        var plural = (string?)names?["plural"] ?? "";
        var kind = (string?)names?["kind"] ?? "";
        var singular = (string?)names?["singular"] ?? kind.ToLowerInvariant();
        var namespaced = ((string?)spec?["scope"] ?? "Namespaced") == "Namespaced";
        var shortNames = (names?["shortNames"] as JsonArray)?.Select(n => (string?)n ?? "").ToArray() ?? [];
        var categories = (names?["categories"] as JsonArray)?.Select(n => (string?)n ?? "").ToArray() ?? [];
        var types = new List<ResourceType>();
        foreach (var v in (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (v["served"]?.GetValue<bool>() == false) continue;
            var subs = new List<SubresourceType>();
            if (v["subresources"]?["status"] is not null)
                subs.Add(new SubresourceType("status", kind, ["get", "patch", "update"]));
            types.Add(new ResourceType
            {
                Group = group, Version = (string?)v["name"] ?? "v1", Plural = plural, Singular = singular, Kind = kind,
                Namespaced = namespaced, ShortNames = shortNames, Categories = categories,
                Verbs = ResourceType.CustomVerbs, IsCustom = true, Subresources = subs.ToArray(),
                StorageVersionHash = StableHash(crdName),
            });
        }
        lock (_gate)
        {
            _crdTypes[crdName] = types;
            Rebuild();
        }
    }

    /// <summary>Serves exactly the given CRDs (name, object) besides the built-ins, as after a lab reset.</summary>
    internal void ResetCrds(IEnumerable<(string Name, JsonObject Crd)> crds)
    {
        lock (_gate)
        {
            _crdTypes.Clear();
            Rebuild();
        }

        foreach (var (name, crd) in crds) SetCrd(name, crd);
    }

    internal void RemoveCrd(string crdName)
    {
        lock (_gate)
        {
            if (_crdTypes.Remove(crdName)) Rebuild();
        }
    }

    private void Rebuild() =>
        _snapshot = new Snapshot(BuiltinResources.All.Concat(_crdTypes.Values.SelectMany(t => t)).ToList());

    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    private static string StableHash(string s)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s));
        return Convert.ToBase64String(bytes, 0, 8);
    }

    private sealed class Snapshot
    {
        public Snapshot(IReadOnlyList<ResourceType> types)
        {
            Types = types;
            ByGvr = types.ToDictionary(t => (t.Group, t.Version, t.Plural));
            Groups = types.GroupBy(t => t.Group).ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<string>)g.Select(t => t.Version).Distinct().OrderBy(v => v, KubeVersionComparer.Instance).ToList());
            GroupOrder = BuiltinResources.GroupOrder.Where(Groups.ContainsKey)
                .Concat(Groups.Keys.Where(g => !BuiltinResources.GroupOrder.Contains(g)).OrderBy(g => g, StringComparer.Ordinal))
                .ToList();
        }

        public IReadOnlyList<ResourceType> Types { get; }
        public Dictionary<(string, string, string), ResourceType> ByGvr { get; }
        public Dictionary<string, IReadOnlyList<string>> Groups { get; }
        public IReadOnlyList<string> GroupOrder { get; }
    }
}
