using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Kube;

/// <summary>The answer of one SelfSubjectAccessReview: allowed, and the authorizer's reason when it gave one.</summary>
internal sealed record AccessReviewAnswer(bool Allowed, string? Reason);

/// <summary>
/// SelfSubjectAccessReview for any group, resource, subresource and namespace (Test-MeshPrerequisite asks one per
/// permission the runbook's writes need; docs/design/prerequisites.md). The API server answers 201 with
/// status.allowed, and a denial carries no reason (docs/design/kube-api-answers.md).
/// </summary>
internal sealed partial class KubeSession
{
    internal async Task<AccessReviewAnswer> ReviewAccessAsync(string verb, string group, string resource, string? subresource,
        string? ns, CancellationToken cancellationToken)
    {
        var attributes = new JsonObject { ["verb"] = verb, ["group"] = group, ["resource"] = resource };
        if (!string.IsNullOrEmpty(subresource)) attributes["subresource"] = subresource;
        if (!string.IsNullOrEmpty(ns)) attributes["namespace"] = ns;
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject { ["resourceAttributes"] = attributes },
        };
        const string path = "apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
        var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        // A review stores nothing, so a retry is harmless.
        var response = await SendAsync(HttpMethod.Post, path, content, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw Failure(response, new KubeOperation("create", null, null, null, path));
        }

        var status = response.ParseJson()?["status"];
        var allowed = status?["allowed"] is JsonValue a && a.TryGetValue<bool>(out var b) && b;
        var reason = status?["reason"] is JsonValue r && r.TryGetValue<string>(out var text) ? text : null;
        return new AccessReviewAnswer(allowed, reason);
    }

    /// <summary>May this session's identity <paramref name="verb"/> <paramref name="resource"/> (core group) in all namespaces?</summary>
    internal async Task<bool> CanIAsync(string verb, string resource, CancellationToken cancellationToken) =>
        (await ReviewAccessAsync(verb, "", resource, null, null, cancellationToken).ConfigureAwait(false)).Allowed;
}
