using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>How Test-MeshConnectivity reaches the clusters and the fleet.</summary>
public sealed record MeshCheckOptions
{
    public KubeSessionOptions Kube { get; init; } = new();

    /// <summary>Warn about reader token Secrets older than this (docs/design/link-lifecycle.md); null: no such warning.</summary>
    public TimeSpan? ReaderTokenMaxAge { get; init; } = TimeSpan.FromDays(90);

    /// <summary>The clock token ages are measured against.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How to reach GKE Hub for the fleet-membership check; null skips that check.</summary>
    public GoogleApiOptions? Google { get; init; }

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;

    /// <summary>A network id shared by several clusters (GKE clusters on one VPC) is a warning, not a failure.</summary>
    public bool AllowSharedNetwork { get; init; }

    /// <summary>Also read istiod's /debug/clusterz in every cluster (one exec per istiod pod) and compare it with the links (docs/design/istiod-view.md).</summary>
    public bool IstiodView { get; init; }

    /// <summary>Also probe from one short-lived pod per cluster (docs/design/in-cluster-probes.md); null: no in-cluster probes.</summary>
    public Probe.ProbeOptions? Probes { get; init; }
}
