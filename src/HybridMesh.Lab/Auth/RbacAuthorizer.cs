using System.Text.Json.Nodes;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// RBAC evaluated from the stored Roles, ClusterRoles and bindings (no aggregation rules, no escalation checks).
/// system:masters is allowed before RBAC is consulted, with no reason, as the real server answers (docs/design/kube-api-answers.md §8).
/// </summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    public (bool Allowed, string? Reason) Authorize(UserInfo user, RequestAttributes a)
    {
        if (user.Groups.Contains("system:masters")) return (true, null);
        foreach (var binding in store.List("clusterrolebindings.rbac.authorization.k8s.io", null).Items)
        {
            var subject = MatchingSubject(binding, user);
            if (subject is null) continue;
            var roleName = (string?)binding["roleRef"]?["name"];
            var role = roleName is null ? null : store.Get("clusterroles.rbac.authorization.k8s.io", null, roleName);
            if (role is not null && Rules(role).Any(r => RuleAllows(r, a)))
                return (true, $"RBAC: allowed by ClusterRoleBinding \"{(string?)binding["metadata"]?["name"]}\" of ClusterRole \"{roleName}\" to {subject}");
        }
        if (a.IsResource && a.Namespace is not null)
        {
            foreach (var binding in store.List("rolebindings.rbac.authorization.k8s.io", a.Namespace).Items)
            {
                var subject = MatchingSubject(binding, user);
                if (subject is null) continue;
                var (role, kind, roleName) = RoleOf(binding, a.Namespace);
                if (role is not null && Rules(role).Any(r => RuleAllows(r, a)))
                    return (true, $"RBAC: allowed by RoleBinding \"{(string?)binding["metadata"]?["name"]}/{a.Namespace}\" of {kind} \"{roleName}\" to {subject}");
            }
        }
        return (false, null);
    }

    /// <summary>Every rule that applies to the user in a namespace (for SelfSubjectRulesReview).</summary>
    public List<JsonObject> RulesFor(UserInfo user, string? ns)
    {
        var rules = new List<JsonObject>();
        foreach (var binding in store.List("clusterrolebindings.rbac.authorization.k8s.io", null).Items)
        {
            if (MatchingSubject(binding, user) is null) continue;
            var roleName = (string?)binding["roleRef"]?["name"];
            var role = roleName is null ? null : store.Get("clusterroles.rbac.authorization.k8s.io", null, roleName);
            if (role is not null) rules.AddRange(Rules(role));
        }
        if (ns is not null)
            foreach (var binding in store.List("rolebindings.rbac.authorization.k8s.io", ns).Items)
            {
                if (MatchingSubject(binding, user) is null) continue;
                var (role, _, _) = RoleOf(binding, ns);
                if (role is not null) rules.AddRange(Rules(role));
            }
        return rules;
    }

    private (JsonObject? Role, string Kind, string? Name) RoleOf(JsonObject binding, string ns)
    {
        var kind = (string?)binding["roleRef"]?["kind"] ?? "Role";
        var name = (string?)binding["roleRef"]?["name"];
        if (name is null) return (null, kind, null);
        var role = kind == "ClusterRole"
            ? store.Get("clusterroles.rbac.authorization.k8s.io", null, name)
            : store.Get("roles.rbac.authorization.k8s.io", ns, name);
        return (role, kind, name);
    }

    private static IEnumerable<JsonObject> Rules(JsonObject role) => (role["rules"] as JsonArray ?? []).OfType<JsonObject>();

    private static string? MatchingSubject(JsonObject binding, UserInfo user)
    {
        foreach (var s in (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var kind = (string?)s["kind"];
            var name = (string?)s["name"] ?? "";
            switch (kind)
            {
                case "User" when name == user.Name: return $"User \"{name}\"";
                case "Group" when user.Groups.Contains(name): return $"Group \"{name}\"";
                case "ServiceAccount":
                    var ns = (string?)s["namespace"] ?? (string?)binding["metadata"]?["namespace"] ?? "";
                    if (user.Name == $"system:serviceaccount:{ns}:{name}") return $"ServiceAccount \"{name}/{ns}\"";
                    break;
            }
        }
        return null;
    }

    private static bool Has(JsonObject rule, string field, string value) =>
        (rule[field] as JsonArray ?? []).Any(v => (string?)v == "*" || (string?)v == value);

    public static bool RuleAllows(JsonObject rule, RequestAttributes a)
    {
        if (!Has(rule, "verbs", a.Verb)) return false;
        if (!a.IsResource)
        {
            return (rule["nonResourceURLs"] as JsonArray ?? []).Select(v => (string?)v ?? "").Any(u =>
                u == "*" || u == a.Path || (u.EndsWith('*') && a.Path.StartsWith(u[..^1], StringComparison.Ordinal)));
        }
        if (!Has(rule, "apiGroups", a.Group)) return false;
        var resources = (rule["resources"] as JsonArray ?? []).Select(v => (string?)v ?? "").ToList();
        var full = a.Subresource.Length == 0 ? a.Resource : $"{a.Resource}/{a.Subresource}";
        var resourceOk = resources.Any(r => r == "*" || r == full || (a.Subresource.Length > 0 && r == "*/" + a.Subresource));
        if (!resourceOk) return false;
        var names = (rule["resourceNames"] as JsonArray ?? []).Select(v => (string?)v).ToList();
        return names.Count == 0 || (a.Name is not null && names.Contains(a.Name));
    }
}
