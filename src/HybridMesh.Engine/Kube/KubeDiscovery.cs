using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Maps apiVersion + kind to a resource path the way kubectl does without aggregated discovery: GET /api/v1 or
/// /apis/&lt;group&gt;/&lt;version&gt; (APIResourceList) and GET /apis (APIGroupList) for served versions. Each document is
/// fetched once per session; a failed fetch is forgotten so the next call tries again.
/// </summary>
internal sealed class KubeDiscovery
{
    private readonly KubeSession _session;
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<KubeResourceInfo>?>>> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, IReadOnlyList<string>>>>> _groups = new(StringComparer.Ordinal);

    public KubeDiscovery(KubeSession session) => _session = session;

    public async Task<KubeResourceInfo> ResolveAsync(string apiVersion, string kindOrPlural, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(apiVersion) || string.IsNullOrWhiteSpace(kindOrPlural))
        {
            throw new ArgumentException("apiVersion and kind are required.");
        }

        var (group, _) = KubeResourceInfo.SplitApiVersion(apiVersion);
        var resources = await ResourcesAsync(apiVersion, cancellationToken).ConfigureAwait(false);
        var lower = kindOrPlural.ToLowerInvariant();
        var match = resources?.FirstOrDefault(r => r.Kind == kindOrPlural) ??
                    resources?.FirstOrDefault(r => r.Plural == lower || string.Equals(r.Kind, kindOrPlural, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match;
        }

        var served = await ServedVersionsAsync(group, cancellationToken).ConfigureAwait(false);
        throw MeshErrors.KubeKindNotServed(_session.Context, apiVersion, kindOrPlural, served);
    }

    public async Task<IReadOnlyList<string>> ServedVersionsAsync(string group, CancellationToken cancellationToken)
    {
        if (group.Length == 0)
        {
            // The core group is only ever v1 (GET /api lists it; no server has served another).
            return ["v1"];
        }

        var groups = await Cached(_groups, "/apis", LoadGroupsAsync, cancellationToken).ConfigureAwait(false);
        return groups.TryGetValue(group, out var versions) ? versions : [];
    }

    private Task<IReadOnlyList<KubeResourceInfo>?> ResourcesAsync(string apiVersion, CancellationToken cancellationToken) =>
        Cached(_resources, apiVersion, LoadResourcesAsync, cancellationToken);

    private static async Task<T> Cached<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key,
        Func<string, CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        // Looked up first: the factory closure would otherwise be allocated on every call (tens of MB in a fleet run).
        if (!cache.TryGetValue(key, out var entry))
        {
            entry = cache.GetOrAdd(key, k => new Lazy<Task<T>>(() => load(k, cancellationToken)));
        }

        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, entry));
            throw;
        }
    }

    /// <summary>The top-level resources of one group-version; null when the server does not serve it (404).</summary>
    private async Task<IReadOnlyList<KubeResourceInfo>?> LoadResourcesAsync(string apiVersion, CancellationToken cancellationToken)
    {
        var (group, version) = KubeResourceInfo.SplitApiVersion(apiVersion);
        var path = group.Length == 0 ? "/api/" + version : $"/apis/{group}/{version}";
        var response = await _session.SendAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw _session.Failure(response, new KubeOperation("get", null, null, null, path));
        }

        var list = new List<KubeResourceInfo>();
        foreach (var node in response.ParseJson()?["resources"] as JsonArray ?? [])
        {
            // Subresources (pods/exec, services/status) are separate entries with a '/' in the name.
            if (node is JsonObject resource && resource["name"]?.GetValue<string>() is { } name && !name.Contains('/') &&
                resource["kind"]?.GetValue<string>() is { } kind)
            {
                var namespaced = resource["namespaced"] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
                list.Add(new KubeResourceInfo(group, version, kind, name, namespaced));
            }
        }

        return list;
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> LoadGroupsAsync(string path, CancellationToken cancellationToken)
    {
        var response = await _session.SendAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw _session.Failure(response, new KubeOperation("get", null, null, null, path));
        }

        var groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var node in response.ParseJson()?["groups"] as JsonArray ?? [])
        {
            if (node is not JsonObject group || group["name"]?.GetValue<string>() is not { } name)
            {
                continue;
            }

            var versions = (group["versions"] as JsonArray ?? [])
                .Select(v => (v as JsonObject)?["version"]?.GetValue<string>())
                .OfType<string>()
                .ToList();
            // Preferred first, then the server's order (which is Kubernetes version priority).
            if (group["preferredVersion"]?["version"]?.GetValue<string>() is { } preferred && versions.Remove(preferred))
            {
                versions.Insert(0, preferred);
            }

            groups[name] = versions;
        }

        return groups;
    }
}
