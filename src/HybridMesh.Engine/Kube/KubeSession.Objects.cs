using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Generic object operations over JSON: the manifest layer renders JsonObjects and every step reads them back the
/// same way, so no typed model (and no KubernetesClient type) crosses the Engine's boundary. Writes always name the
/// field manager (the server would otherwise name it after the User-Agent).
/// </summary>
internal sealed partial class KubeSession
{
    public const string DefaultFieldManager = "hybridmesh";

    private const int ListPageSize = 500;

    /// <summary>One object, or null when it does not exist (404).</summary>
    public async Task<JsonObject?> GetAsync(string apiVersion, string kindOrPlural, string? ns, string name,
        CancellationToken cancellationToken = default)
    {
        var resource = await ResolveAsync(apiVersion, kindOrPlural, cancellationToken).ConfigureAwait(false);
        return await GetAsync(resource, ns, name, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonObject?> GetAsync(KubeResourceInfo resource, string? ns, string name, CancellationToken cancellationToken)
    {
        RequireNamespace(resource, ns);
        var path = resource.ObjectPath(ns, name);
        var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        return ObjectOrThrow(response, new KubeOperation("get", resource, ns, name, path));
    }

    /// <summary>
    /// Every object of a kind, following pages. <paramref name="ns"/> null lists across all namespaces. Items get
    /// apiVersion and kind filled in (the server omits them in lists of built-in types). <paramref name="fieldSelector"/>
    /// narrows the list on the server (e.g. Secrets by type); <paramref name="skipBookkeeping"/> leaves
    /// the server's bookkeeping out of the items' metadata (managedFields, uid, resourceVersion, creationTimestamp,
    /// generation: readers that never look at them and keep the items; docs/design/scale.md).
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string apiVersion, string kindOrPlural, string? ns = null,
        string? labelSelector = null, CancellationToken cancellationToken = default, string? fieldSelector = null,
        bool skipBookkeeping = false)
    {
        var resource = await ResolveAsync(apiVersion, kindOrPlural, cancellationToken).ConfigureAwait(false);
        var items = new List<JsonObject>();
        string? next = null;
        do
        {
            var query = new QueryBuilder().Add("labelSelector", labelSelector).Add("fieldSelector", fieldSelector).Add("limit", ListPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add("continue", next);
            var path = resource.CollectionPath(ns) + query;
            var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken, listPage: true, skipBookkeeping).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                throw Failure(response, new KubeOperation("get", resource, ns, null, path));
            }

            // Each item was read on its own (KubeListPage), so it is kept as it is: no copy, no tree of the whole list.
            var page = response.Page ?? throw MeshErrors.KubeApiError(Context, new KubeOperation("get", resource, ns, null, path).Describe(),
                (int)response.Status, "InvalidResponse", "the answer is not a JSON object.");
            foreach (var item in page.Items ?? [])
            {
                if (item is not null)
                {
                    item["apiVersion"] ??= resource.ApiVersion;
                    item["kind"] ??= resource.Kind;
                    items.Add(item);
                }
            }

            next = page.Metadata?.Continue;
        }
        while (!string.IsNullOrEmpty(next));

        return items;
    }

    /// <summary>
    /// Server-side apply (PATCH application/apply-patch+yaml; JSON is valid YAML). The outcome compares the object
    /// before and after: 201 is Created; an unchanged resourceVersion is Unchanged (a no-op apply keeps it, see
    /// docs/design/kube-api-answers.md §4.2). Under <paramref name="dryRun"/> the server keeps the resourceVersion anyway, so the
    /// would-be object is compared with the stored one instead.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(JsonObject obj, string fieldManager = DefaultFieldManager, bool force = false,
        bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var (resource, ns, name) = await Identify(obj, cancellationToken).ConfigureAwait(false);
        var before = await GetAsync(resource, ns, name, cancellationToken).ConfigureAwait(false);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder()
            .Add("fieldManager", fieldManager)
            .Add("force", force ? "true" : null)
            .Add("dryRun", dryRun ? "All" : null);
        var content = new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/apply-patch+yaml");
        var response = await SendAsync(HttpMethod.Patch, path, content, idempotent: true, cancellationToken).ConfigureAwait(false);
        var after = ObjectOrThrow(response, new KubeOperation("apply", resource, ns, name, path));

        ApplyOutcome outcome;
        if (response.Status == HttpStatusCode.Created || before is null)
        {
            outcome = ApplyOutcome.Created;
        }
        else if (dryRun)
        {
            outcome = JsonNode.DeepEquals(WithoutManagedFields(before), WithoutManagedFields(after))
                ? ApplyOutcome.Unchanged
                : ApplyOutcome.Configured;
        }
        else
        {
            outcome = ResourceVersion(before) == ResourceVersion(after) ? ApplyOutcome.Unchanged : ApplyOutcome.Configured;
        }

        return new ApplyResult(after, outcome);
    }

    /// <summary>POST: create the object; an existing one is KubeAlreadyExists.</summary>
    public async Task<JsonObject> CreateAsync(JsonObject obj, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var (resource, ns, name) = await Identify(obj, cancellationToken).ConfigureAwait(false);
        var path = resource.CollectionPath(ns) + new QueryBuilder()
            .Add("fieldManager", DefaultFieldManager)
            .Add("dryRun", dryRun ? "All" : null);
        var content = JsonContent(obj);
        var response = await SendAsync(HttpMethod.Post, path, content, idempotent: false, cancellationToken).ConfigureAwait(false);
        return ObjectOrThrow(response, new KubeOperation("create", resource, ns, name, path));
    }

    /// <summary>
    /// PUT: replace the object. With metadata.resourceVersion it is conditional (a stale one is KubeConflict) and
    /// safe to retry; without it, it is an unconditional replace and is sent once.
    /// </summary>
    public async Task<JsonObject> ReplaceAsync(JsonObject obj, CancellationToken cancellationToken = default)
    {
        var (resource, ns, name) = await Identify(obj, cancellationToken).ConfigureAwait(false);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder().Add("fieldManager", DefaultFieldManager);
        var conditional = !string.IsNullOrEmpty(ResourceVersion(obj));
        var response = await SendAsync(HttpMethod.Put, path, JsonContent(obj), idempotent: conditional, cancellationToken).ConfigureAwait(false);
        return ObjectOrThrow(response, new KubeOperation("replace", resource, ns, name, path));
    }

    /// <summary>JSON merge patch (RFC 7386: lists are replaced whole; null deletes a key), optionally of a subresource such as "status".</summary>
    public async Task<JsonObject> MergePatchAsync(string apiVersion, string kindOrPlural, string? ns, string name,
        JsonObject patch, string? subresource = null, CancellationToken cancellationToken = default)
    {
        var resource = await ResolveAsync(apiVersion, kindOrPlural, cancellationToken).ConfigureAwait(false);
        RequireNamespace(resource, ns);
        var path = resource.ObjectPath(ns, name) + (string.IsNullOrEmpty(subresource) ? "" : "/" + subresource) +
                   new QueryBuilder().Add("fieldManager", DefaultFieldManager);
        var content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json");
        var response = await SendAsync(HttpMethod.Patch, path, content, idempotent: false, cancellationToken).ConfigureAwait(false);
        return ObjectOrThrow(response, new KubeOperation("merge-patch", resource, ns, name, path));
    }

    /// <summary>
    /// DELETE. True when the server accepted the deletion (it may finish later, for objects with finalizers); false
    /// when the object was not there.
    /// </summary>
    public async Task<bool> DeleteAsync(string apiVersion, string kindOrPlural, string? ns, string name,
        string? propagationPolicy = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var resource = await ResolveAsync(apiVersion, kindOrPlural, cancellationToken).ConfigureAwait(false);
        RequireNamespace(resource, ns);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder()
            .Add("propagationPolicy", propagationPolicy)
            .Add("dryRun", dryRun ? "All" : null);
        var response = await SendAsync(HttpMethod.Delete, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, new KubeOperation("delete", resource, ns, name, path));
        }

        return true;
    }

    private async Task<(KubeResourceInfo Resource, string? Namespace, string Name)> Identify(JsonObject obj, CancellationToken cancellationToken)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        var kind = obj["kind"]?.GetValue<string>();
        var name = obj["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("The object needs apiVersion, kind and metadata.name.", nameof(obj));
        }

        var resource = await ResolveAsync(apiVersion, kind, cancellationToken).ConfigureAwait(false);
        var ns = resource.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() : null;
        RequireNamespace(resource, ns);
        return (resource, ns, name);
    }

    private static void RequireNamespace(KubeResourceInfo resource, string? ns)
    {
        if (resource.Namespaced && string.IsNullOrEmpty(ns))
        {
            throw new ArgumentException($"{resource.Kind} is namespaced; a namespace is required.");
        }
    }

    private JsonObject ObjectOrThrow(KubeResponse response, KubeOperation operation)
    {
        if (!response.IsSuccess)
        {
            throw Failure(response, operation);
        }

        return response.ParseJson() as JsonObject ??
               throw MeshErrors.KubeApiError(Context, operation.Describe(), (int)response.Status, "InvalidResponse",
                   "the answer is not a JSON object.");
    }

    private static StringContent JsonContent(JsonObject obj) => new(obj.ToJsonString(), Encoding.UTF8, "application/json");

    internal static string? ResourceVersion(JsonObject obj) =>
        obj["metadata"]?["resourceVersion"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    /// <summary>A query string with escaped values; null values are left out.</summary>
    private sealed class QueryBuilder
    {
        private readonly StringBuilder _text = new();

        public QueryBuilder Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                _text.Append(_text.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            }

            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
