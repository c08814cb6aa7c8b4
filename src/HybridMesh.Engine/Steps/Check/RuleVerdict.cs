using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// What one rule says about one cluster (or link): the check Test-MeshConnectivity reports and, when the check failed
/// and the failure makes New-Mesh unsafe, the error New-Mesh's pre-flight stops with (docs/design/rules.md). Both come
/// from the same evaluation, so the two cmdlets cannot disagree.
/// </summary>
internal sealed record RuleVerdict(MeshCheck Check, MeshException? Error = null)
{
    public static implicit operator RuleVerdict(MeshCheck check) => new(check);

    public bool Failed => Check.Status == MeshCheckStatus.Failed;

    /// <summary>The first verdict that is not Passed, else the last one: several rules reported as one check.</summary>
    public static RuleVerdict FirstProblem(params RuleVerdict[] verdicts) =>
        verdicts.FirstOrDefault(v => v.Check.Status != MeshCheckStatus.Passed) ?? verdicts[^1];
}
