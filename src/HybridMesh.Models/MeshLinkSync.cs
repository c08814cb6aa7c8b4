namespace HybridMesh.Models;

/// <summary>
/// What istiod in a link's target cluster reports for the source (its /debug/clusterz), read by New-Mesh -Wait:
/// whether the link is only written, or also loaded and synced by istiod.
/// </summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshLinkSync : long
{
    /// <summary>istiod was not asked (no -Wait, -WhatIf, or the secret was not written).</summary>
    NotChecked,

    /// <summary>Every istiod pod in the target lists the source as synced, from this secret.</summary>
    Synced,

    /// <summary>istiod does not list the source from this secret yet (or still runs an older secret): restart istiod.</summary>
    NotLoaded,

    /// <summary>istiod lists the source but cannot sync it (syncing/timeout): the source's API server is not reachable from the target.</summary>
    Unreachable,

    /// <summary>istiod could not be asked (pods/exec refused, kubelet unreachable, no istiod pod).</summary>
    Unknown,
}
