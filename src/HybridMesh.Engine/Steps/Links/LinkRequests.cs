using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>
/// istiod's own view of its remote clusters (/debug/clusterz, docs/design/istiod-view.md). The link tools ask it
/// when one is given and otherwise fall back to the workstation view. Implementations never throw for an unreadable
/// view: they answer <see cref="LinkSyncView.Readable"/> false with the reason in the status.
/// </summary>
public interface ILinkSyncReader
{
    /// <summary>
    /// How istiod in <paramref name="target"/> reports <paramref name="sourceClusterName"/>; <paramref name="secretName"/>
    /// (the remote secret T holds for S) is the one istiod must have loaded it from, when known.
    /// </summary>
    Task<LinkSyncView> ReadAsync(MeshTarget target, string sourceClusterName, string? secretName, CancellationToken cancellationToken);
}

/// <summary>
/// One link as istiod sees it: <see cref="Status"/> is istiod's syncStatus (synced, syncing, timeout, closed), "not
/// loaded", the pods' answers when they disagree, or "Unknown: why" when istiod could not be asked.
/// <see cref="Synced"/>: every istiod pod lists the source as synced from the expected secret.
/// </summary>
public sealed record LinkSyncView(string Status, bool Readable, bool Synced);

/// <summary>What Get-MeshLink was asked for.</summary>
public sealed class LinkInventoryRequest
{
    public required IReadOnlyList<MeshTarget> Targets { get; init; }
    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;
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

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;
    public KubeSessionOptions Kube { get; init; } = new();

    /// <summary>How long the token controller gets to fill the new token Secret.</summary>
    public TimeSpan TokenWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>istiod's view; where it is readable each target is verified through it, else by the workstation proof.</summary>
    public ILinkSyncReader? SyncReader { get; init; }

    /// <summary>How long istiod in a target gets to list the source as synced from the rewritten secret.</summary>
    public TimeSpan SyncWait { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

}
