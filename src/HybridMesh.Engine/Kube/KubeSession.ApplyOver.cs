using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Server-side apply over an object the caller has just read (or found absent): the outcome comes from that read, so
/// an apply costs one request instead of a second read and the patch (docs/design/scale.md; gateway objects were
/// read twice before each apply). The blind apply skips even that: New-Mesh has already listed the live objects, so
/// wiring N×(N−1) links costs one request each.
/// </summary>
internal sealed partial class KubeSession
{
    internal async Task<ApplyResult> ApplyOverAsync(JsonObject obj, JsonObject? live, bool force, CancellationToken cancellationToken)
    {
        var (after, created) = await SendApplyAsync(obj, force, cancellationToken).ConfigureAwait(false);
        var outcome = created || live is null ? ApplyOutcome.Created
            : ResourceVersion(live) == ResourceVersion(after) ? ApplyOutcome.Unchanged
            : ApplyOutcome.Configured;
        return new ApplyResult(after, outcome);
    }

    /// <summary>Server-side apply without the read ApplyAsync does first; returns the stored object.</summary>
    internal async Task<JsonObject> ApplyBlindAsync(JsonObject obj, bool force, CancellationToken cancellationToken) =>
        (await SendApplyAsync(obj, force, cancellationToken).ConfigureAwait(false)).After;

    /// <summary>
    /// Server-side apply of an object already serialized as UTF-8 JSON (<paramref name="identity"/> names it), without
    /// reading the stored object back: the answer's body is drained unread. New-Mesh sends one source's remote secret
    /// to N−1 targets, so the bytes are made once per source, and 62,250 answers at 250 clusters are neither buffered
    /// nor parsed (most of a first run's garbage; docs/design/scale.md, "Memory").
    /// </summary>
    internal async Task ApplyRenderedAsync(JsonObject identity, byte[] utf8Json, bool force, CancellationToken cancellationToken)
    {
        var (resource, ns, name) = await Identify(identity, cancellationToken).ConfigureAwait(false);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder()
            .Add("fieldManager", DefaultFieldManager)
            .Add("force", force ? "true" : null);
        var content = new ByteArrayContent(utf8Json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml") { CharSet = "utf-8" };
        var response = await SendAsync(HttpMethod.Patch, path, content, idempotent: true, cancellationToken, discardSuccessBody: true)
            .ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw Failure(response, new KubeOperation("apply", resource, ns, name, path));
        }
    }

    /// <summary>The apply PATCH under our field manager: the stored object, and whether the server created it (201).</summary>
    private async Task<(JsonObject After, bool Created)> SendApplyAsync(JsonObject obj, bool force, CancellationToken cancellationToken)
    {
        var (resource, ns, name) = await Identify(obj, cancellationToken).ConfigureAwait(false);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder()
            .Add("fieldManager", DefaultFieldManager)
            .Add("force", force ? "true" : null);
        var content = new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/apply-patch+yaml");
        var response = await SendAsync(HttpMethod.Patch, path, content, idempotent: true, cancellationToken).ConfigureAwait(false);
        var after = ObjectOrThrow(response, new KubeOperation("apply", resource, ns, name, path));
        return (after, response.Status == HttpStatusCode.Created);
    }
}
