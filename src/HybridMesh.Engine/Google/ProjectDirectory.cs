using System.Globalization;
using System.Text.Json;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>Resource Manager v3 projects.get: GET v3/projects/{id}; the number comes from name "projects/&lt;number&gt;".</summary>
internal sealed class ProjectDirectory : IProjectDirectory
{
    private readonly GoogleRestClient _client;
    private readonly Uri _endpoint;

    public ProjectDirectory(GoogleRestClient client, Uri endpoint)
    {
        _client = client;
        _endpoint = endpoint;
    }

    public async Task<GoogleProject> GetProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        GoogleProjectId.Validate(projectId);
        var resource = "projects/" + projectId;
        var body = await _client.GetAsync(_endpoint, "v3/" + resource,
            new GoogleCall(resource, _ => MeshErrors.ProjectNotFound(projectId),
                // v3 answers 403 for a project that does not exist as for one the caller may not read.
                Forbidden: f => MeshErrors.ProjectNotFoundOrHidden(projectId, f.Message)),
            cancellationToken).ConfigureAwait(false);
        return Parse(body, projectId);
    }

    internal static GoogleProject Parse(JsonElement body, string requestedId)
    {
        var name = GoogleJson.String(body, "name");
        const string prefix = "projects/";
        if (name is null || !name.StartsWith(prefix, StringComparison.Ordinal) ||
            !long.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw MeshErrors.GoogleApiError("projects/" + requestedId, 200, "INVALID_RESPONSE",
                $"Resource Manager answered without a project number (name was '{name}').");
        }

        return new GoogleProject(GoogleJson.String(body, "projectId") ?? requestedId, number,
            GoogleJson.String(body, "state") ?? "STATE_UNSPECIFIED", GoogleJson.String(body, "displayName"));
    }
}
