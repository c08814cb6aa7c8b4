namespace HybridMesh.Models;

/// <summary>Outcome of one connectivity check.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshCheckStatus : long
{
    /// <summary>The condition holds.</summary>
    Passed,

    /// <summary>The condition could not be confirmed from this machine, or holds with a caveat.</summary>
    Warning,

    /// <summary>The condition does not hold: traffic across this link or cluster will not work.</summary>
    Failed,

    /// <summary>Not checked because something it depends on failed (see Detail).</summary>
    Skipped,
}
