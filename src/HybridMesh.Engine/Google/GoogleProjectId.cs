using System.Text.RegularExpressions;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>Project id syntax, checked before any call so that a typo fails fast and offline.</summary>
internal static partial class GoogleProjectId
{
    // 6-30 characters: a lowercase letter first, then lowercase letters, digits or hyphens, no trailing hyphen.
    // Legacy domain-scoped projects ("example.com:my-project") carry a domain prefix.
    [GeneratedRegex(@"^(?:[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? projectId) => projectId is not null && Pattern().IsMatch(projectId);

    /// <summary>Throws FleetProjectIdInvalid unless <paramref name="projectId"/> is a well-formed project id.</summary>
    public static string Validate(string? projectId) =>
        IsValid(projectId) ? projectId! : throw MeshErrors.FleetProjectIdInvalid(projectId);
}
