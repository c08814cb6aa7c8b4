namespace HybridMesh.Models;

/// <summary>
/// Update-MeshLinkCredential's answer for one source cluster: the reader token that was replaced, the new one, and
/// what happened to the remote secret of every target. Never carries a token.
/// </summary>
public sealed class MeshLinkRotation
{
    /// <summary>The source cluster's Istio cluster name (or context when unknown).</summary>
    public required string Source { get; init; }

    public required string SourceContext { get; init; }

    public MeshRotationStatus Status { get; init; }

    /// <summary>The token Secret(s) in the source whose token the remote secrets carried before.</summary>
    public string[] OldTokenSecrets { get; init; } = [];

    /// <summary>The token Secret created (or resumed) by this rotation.</summary>
    public string? NewTokenSecret { get; init; }

    /// <summary>True when the old token Secret(s) were deleted, which revokes the old token.</summary>
    public bool OldTokenDeleted { get; init; }

    /// <summary>Age of the token in use before the rotation (what -OlderThanDays compares).</summary>
    public TimeSpan? OldTokenAge { get; init; }

    public MeshLinkRotationTarget[] Targets { get; init; } = [];

    public string? Detail { get; init; }

    public override string ToString() => Source;
}

/// <summary>One target's remote secret during a rotation.</summary>
public sealed class MeshLinkRotationTarget
{
    public required string Target { get; init; }
    public required string TargetContext { get; init; }
    public string? SecretName { get; init; }
    public MeshRotationStep Result { get; init; }

    /// <summary>The secret read back from the target holds the new token.</summary>
    public bool Verified { get; init; }

    /// <summary>istiod's sync status for the source in this target after the rewrite, or "Unknown: why".</summary>
    public string? SyncStatus { get; init; }

    /// <summary>What proved the target: istiod's own view, or (where it is not readable) this machine's read-back.</summary>
    public MeshLinkProof Proof { get; init; }

    public string? Detail { get; init; }

    public override string ToString() => $"{Target}: {Result}";
}

// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshRotationStatus : long
{
    /// <summary>Every target carries the new token, verified; the old token Secret is deleted.</summary>
    Rotated,

    /// <summary>Some targets failed: old and new token both stay valid; re-run to finish.</summary>
    Partial,

    /// <summary>Nothing to do (token younger than -OlderThanDays, or no link carries a token of this source).</summary>
    Skipped,

    /// <summary>-WhatIf, or a declined confirmation: nothing written.</summary>
    Planned,

    /// <summary>The new token could not be issued or proven; nothing was rewritten, the old token stays.</summary>
    Failed,
}

// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshRotationStep : long
{
    Updated,
    Unchanged,
    Failed,

    /// <summary>The target holds no remote secret for the source (run New-Mesh), or is not written (-WhatIf).</summary>
    Skipped,
    Planned,
}

/// <summary>What verified a rewritten remote secret during a rotation (docs/design/link-lifecycle.md).</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshLinkProof : long
{
    /// <summary>Not verified (skipped, declined, failed before the check, -WhatIf).</summary>
    None,

    /// <summary>This machine: the new token answered the source's API server and the target's secret read back with it.</summary>
    Workstation,

    /// <summary>Every istiod pod in the target lists the source as synced from the rewritten secret.</summary>
    Istiod,
}
