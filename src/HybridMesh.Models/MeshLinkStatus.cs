namespace HybridMesh.Models;

/// <summary>
/// Whether istiod in the target cluster can read the source cluster with the remote secret: proven by
/// authenticating to the source with the secret's token and asking whether it may list services and endpoints.
/// </summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshLinkStatus : long
{
    /// <summary>The token authenticates and may list services and endpoints.</summary>
    Connected,

    /// <summary>Not written (-WhatIf, -ManifestOnly, or the token does not exist yet).</summary>
    Planned,

    /// <summary>The source rejected the token (revoked, or its token Secret was deleted).</summary>
    Unauthorized,

    /// <summary>The token authenticates but may not list services or endpoints (reader RBAC missing).</summary>
    Forbidden,

    /// <summary>The source or target API server could not be reached.</summary>
    Unreachable,

    /// <summary>Writing the secret or checking it failed for another reason (see the error for that link).</summary>
    Failed,
}

/// <summary>What wiring did to the link's remote secret.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshLinkOutcome : long
{
    Created,
    Configured,
    Unchanged,

    /// <summary>Nothing was written (-WhatIf, declined confirmation, -ManifestOnly, or a failure).</summary>
    Skipped,
}
