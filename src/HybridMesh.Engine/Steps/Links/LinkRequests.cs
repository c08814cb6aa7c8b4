using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>
/// istiod's own view of its remote clusters (/debug/clusterz, docs/design/verification.md). The link tools ask it
/// when one is given and otherwise fall back to the workstation view; null means "not readable here".
/// </summary>
public interface ILinkSyncReader
{
    /// <summary>syncStatus of <paramref name="sourceClusterName"/> as istiod in <paramref name="target"/> reports it, or null.</summary>
    Task<string?> ReadAsync(MeshTarget target, string sourceClusterName, CancellationToken cancellationToken);
}

/// <summary>What Get-MeshLink was asked for.</summary>
public sealed class LinkInventoryRequest
{
    public required IReadOnlyList<MeshTarget> Targets { get; init; }
    public int ThrottleLimit { get; init; } = PerCluster.DefaultThrottleLimit;
    public KubeSessionOptions Kube { get; init; } = new();

    /// <summary>istiod's view, when such a reader exists; null: SyncStatus stays null.</summary>
    public ILinkSyncReader? SyncReader { get; init; }

    /// <summary>The clock ages are measured against (tests move it forward).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

}

/// <summary>What Update-MeshLinkCredential was asked to do.</summary>
public sealed class LinkRotationRequest
{
    /// <summary>Every cluster of the mesh: the remote secrets to rewrite live in all of them.</summary>
    public required IReadOnlyList<MeshTarget> Targets { get; init; }

    /// <summary>Contexts or Istio cluster names whose reader token is rotated; empty: every target.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Rotate only tokens at least this old (a nightly runbook's threshold); null: always.</summary>
    public TimeSpan? OlderThan { get; init; }

    /// <summary>-WhatIf: describe each step (ShouldProcess) and send only GETs.</summary>
    public bool WhatIf { get; init; }

    public int ThrottleLimit { get; init; } = PerCluster.DefaultThrottleLimit;
    public KubeSessionOptions Kube { get; init; } = new();

    /// <summary>How long the token controller gets to fill the new token Secret.</summary>
    public TimeSpan TokenWait { get; init; } = TimeSpan.FromSeconds(15);

    public ILinkSyncReader? SyncReader { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;

}
