namespace HybridMesh.Models;

/// <summary>
/// One connectivity check (Test-MeshConnectivity): what was checked, on which cluster (and, for a link, which peer),
/// the outcome, what was found, and — when it did not pass — the concrete step that fixes it.
/// </summary>
public sealed class MeshCheck
{
    /// <summary>Stable check name, e.g. EastWestGateway or RemoteSecretCredentials.</summary>
    public required string Check { get; init; }

    /// <summary>The cluster (kubeconfig context) the check is about; for a link, the cluster holding the remote secret.</summary>
    public required string Cluster { get; init; }

    /// <summary>For a link check: the cluster the remote secret gives access to. Null for per-cluster checks.</summary>
    public string? Peer { get; init; }

    public required MeshCheckStatus Status { get; init; }

    /// <summary>What was found, in words (never a credential).</summary>
    public required string Detail { get; init; }

    /// <summary>What to do when Status is Failed or Warning; null when Passed.</summary>
    public string? RecommendedAction { get; init; }

    /// <summary>For the in-cluster probe checks (PodApiServerReach, PodGatewayReach): each step the probe pod took; else empty.</summary>
    public IReadOnlyList<MeshProbeResult> Probes { get; init; } = [];

    public override string ToString() =>
        $"{Check} {Cluster}{(Peer is null ? "" : " -> " + Peer)}: {Status}";
}
