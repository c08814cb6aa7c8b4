using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Server-side apply over an object the caller has just read (or found absent): the outcome comes from that read, so
/// an apply costs one request instead of a second read and the patch (docs/design/scale.md; gateway objects were
/// read twice before each apply).
/// </summary>
public sealed partial class KubeSession
{
    internal async Task<ApplyResult> ApplyOverAsync(JsonObject obj, JsonObject? live, bool force, CancellationToken cancellationToken)
    {
        var (resource, ns, name) = await Identify(obj, cancellationToken).ConfigureAwait(false);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder()
            .Add("fieldManager", DefaultFieldManager)
            .Add("force", force ? "true" : null);
        var content = new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/apply-patch+yaml");
        var response = await SendAsync(HttpMethod.Patch, path, content, idempotent: true, cancellationToken).ConfigureAwait(false);
        var after = ObjectOrThrow(response, new KubeOperation("apply", resource, ns, name, path));
        var outcome = response.Status == HttpStatusCode.Created || live is null ? ApplyOutcome.Created
            : ResourceVersion(live) == ResourceVersion(after) ? ApplyOutcome.Unchanged
            : ApplyOutcome.Configured;
        return new ApplyResult(after, outcome);
    }
}
