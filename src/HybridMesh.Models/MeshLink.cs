namespace HybridMesh.Models;

/// <summary>
/// One direction of endpoint discovery: istiod in <see cref="Target"/> reads <see cref="Source"/> through the
/// remote secret <see cref="SecretName"/>. Never carries the token.
/// </summary>
public sealed class MeshLink
{
    /// <summary>The source cluster's Istio cluster name (istiod CLUSTER_ID), the secret's data key.</summary>
    public required string Source { get; init; }

    /// <summary>The target cluster's Istio cluster name, where the secret lives.</summary>
    public required string Target { get; init; }

    public required string SourceContext { get; init; }
    public required string TargetContext { get; init; }

    /// <summary>istio-remote-secret-&lt;Source&gt; in the target's Istio namespace.</summary>
    public required string SecretName { get; init; }

    /// <summary>The source API server address written into the secret (after -ServerOverride).</summary>
    public string Server { get; init; } = "";

    public MeshLinkStatus Status { get; init; }

    public MeshLinkOutcome Outcome { get; init; }

    /// <summary>True when this run created the source's reader token Secret.</summary>
    public bool TokenCreated { get; init; }

    /// <summary>Whether istiod in the target reports the source synced from this secret (New-Mesh -Wait); NotChecked without -Wait.</summary>
    public MeshLinkSync IstiodSync { get; init; }

    /// <summary>Why the status is not Connected, in words (never the token).</summary>
    public string? Detail { get; init; }

    public override string ToString() => $"{Source} -> {Target}";
}
