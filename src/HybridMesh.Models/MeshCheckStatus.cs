namespace HybridMesh.Models;

/// <summary>Outcome of one connectivity check.</summary>
public enum MeshCheckStatus
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
