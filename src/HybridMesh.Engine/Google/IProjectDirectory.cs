namespace HybridMesh.Engine.Google;

/// <summary>Cloud Resource Manager: what a project id stands for.</summary>
internal interface IProjectDirectory
{
    /// <summary>
    /// projects.get (v3). Throws MeshException: FleetProjectIdInvalid, ProjectNotFound, PermissionDenied,
    /// AuthenticationFailed, GoogleApiUnreachable or GoogleApiError.
    /// </summary>
    Task<GoogleProject> GetProjectAsync(string projectId, CancellationToken cancellationToken);
}

/// <summary>A project as Resource Manager v3 describes it.</summary>
internal sealed record GoogleProject(string ProjectId, long ProjectNumber, string State, string? DisplayName)
{
    public override string ToString() => $"{ProjectId} ({ProjectNumber})";
}
