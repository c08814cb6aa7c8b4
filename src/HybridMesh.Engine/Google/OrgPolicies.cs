using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>
/// Resource Manager v1: POST v1/projects/{id}:getEffectiveOrgPolicy with {"constraint": ...}. v1 is used rather than
/// the Org Policy v2 API because it is served by the same host as projects.get (one endpoint to configure) and
/// needs only orgpolicy.policy.get (docs/design/google-rest.md).
/// </summary>
internal sealed class OrgPolicies : IOrgPolicies
{
    private readonly GoogleRestClient _client;
    private readonly Uri _endpoint;

    public OrgPolicies(GoogleRestClient client, Uri endpoint)
    {
        _client = client;
        _endpoint = endpoint;
    }

    public async Task<EffectiveListPolicy> GetEffectiveListPolicyAsync(string projectId, string constraint,
        CancellationToken cancellationToken)
    {
        GoogleProjectId.Validate(projectId);
        var resource = "projects/" + projectId;
        // A POST that only reads: repeating it on a transient failure is harmless.
        var body = await _client.SendAsync(HttpMethod.Post, _endpoint, $"v1/{resource}:getEffectiveOrgPolicy",
            new JsonObject { ["constraint"] = constraint },
            new GoogleCall(resource, _ => MeshErrors.ProjectNotFound(projectId)), cancellationToken).ConfigureAwait(false);
        return Parse(body, constraint);
    }

    internal static EffectiveListPolicy Parse(JsonElement body, string constraint) => new(
        GoogleJson.String(body, "constraint") ?? constraint,
        GoogleJson.String(body, "listPolicy", "allValues"),
        Strings(body, "allowedValues"),
        Strings(body, "deniedValues"));

    private static IReadOnlyList<string> Strings(JsonElement body, string name) =>
        GoogleJson.Path(body, "listPolicy", name) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray()
            : [];
}
