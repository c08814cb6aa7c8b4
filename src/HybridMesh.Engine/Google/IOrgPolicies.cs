namespace HybridMesh.Engine.Google;

/// <summary>Organisation policy: what a project may create (docs/design/google-rest.md, "Organisation policy").</summary>
internal interface IOrgPolicies
{
    /// <summary>
    /// Resource Manager v1 projects.getEffectiveOrgPolicy for a list constraint. Throws MeshException:
    /// PermissionDenied / GoogleIamPermissionDenied (the caller may not read policies), ProjectNotFound,
    /// AuthenticationFailed, GoogleApiUnreachable or GoogleApiError.
    /// </summary>
    Task<EffectiveListPolicy> GetEffectiveListPolicyAsync(string projectId, string constraint, CancellationToken cancellationToken);
}

/// <summary>
/// The effective listPolicy of a constraint on a project, reduced to what decides whether a value is allowed.
/// Values keep their prefixes as Google returns them ("in:EXTERNAL" value groups, "is:" literals, or bare).
/// </summary>
internal sealed record EffectiveListPolicy(string Constraint, string? AllValues, IReadOnlyList<string> AllowedValues,
    IReadOnlyList<string> DeniedValues)
{
    /// <summary>
    /// Whether <paramref name="value"/> (e.g. EXTERNAL_NETWORK_TCP_UDP) is allowed. A value matches itself, "is:" plus
    /// itself, or its value group "in:&lt;group&gt;"; allValues DENY/ALLOW decides first, a denied value next, and a
    /// non-empty allowed list admits only what it names. No policy at all allows everything.
    /// </summary>
    public bool Allows(string value, string group)
    {
        bool Named(IReadOnlyList<string> list) => list.Any(v =>
            string.Equals(v, value, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(v, "is:" + value, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(v, "in:" + group, StringComparison.OrdinalIgnoreCase));

        if (string.Equals(AllValues, "DENY", StringComparison.OrdinalIgnoreCase)) return false;
        if (string.Equals(AllValues, "ALLOW", StringComparison.OrdinalIgnoreCase)) return true;
        if (Named(DeniedValues)) return false;
        return AllowedValues.Count == 0 || Named(AllowedValues);
    }

    public override string ToString() =>
        AllValues is { Length: > 0 } all && all != "ALL_VALUES_UNSPECIFIED" ? $"all values {all}"
        : $"allowed [{string.Join(", ", AllowedValues)}], denied [{string.Join(", ", DeniedValues)}]";
}
