using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The caller's identity in each cluster may do everything the runbook writes (<see cref="RunbookPermissions"/>),
/// asked with one SelfSubjectAccessReview per verb and resource, so a missing permission shows before the change
/// window instead of halfway through it (docs/design/prerequisites.md).
/// </summary>
internal static class PermissionChecks
{
    public static MeshCheck Run(PrerequisiteFacts f)
    {
        const string check = PrerequisiteCheckNames.Permissions;
        if (!f.Snapshot.Reachable) return ClusterChecks.Unreachable(check, f.Snapshot);
        if (f.Access is not { } access)
        {
            return Result.Skip(check, f.Context, $"SelfSubjectAccessReview could not be asked: {f.AccessUnavailable}");
        }

        var denied = access.Where(a => !a.Answer.Allowed).Select(a => a.Permission).ToArray();
        if (denied.Length == 0)
        {
            return Result.Pass(check, f.Context, $"All {access.Count} permissions the runbook's writes need are granted.");
        }

        var grouped = denied.GroupBy(p => (p.Group, p.Resource, p.Subresource, p.Namespace))
            .Select(g => $"{string.Join("/", g.Select(p => p.Verb))} {g.Key.Resource}{(g.Key.Subresource is null ? "" : "/" + g.Key.Subresource)}" +
                         $"{(g.Key.Group.Length == 0 ? "" : "." + g.Key.Group)}{(g.Key.Namespace is null ? " (cluster-wide)" : " in " + g.Key.Namespace)}" +
                         $" [{g.First().Step}]")
            .ToArray();
        return Result.Fail(check, f.Context,
            $"{denied.Length} of {access.Count} permissions are missing: {string.Join("; ", grouped)}.",
            "Grant the kubeconfig user of this context these permissions (for example bind it to cluster-admin for the change " +
            $"window), then re-run Test-MeshPrerequisite. Check one with: kubectl auth can-i {denied[0].Verb} {denied[0].Resource}" +
            $"{(denied[0].Subresource is null ? "" : "/" + denied[0].Subresource)}{(denied[0].Group.Length == 0 ? "" : "." + denied[0].Group)}" +
            $"{(denied[0].Namespace is null ? "" : " -n " + denied[0].Namespace)} --context {f.Context}");
    }
}
