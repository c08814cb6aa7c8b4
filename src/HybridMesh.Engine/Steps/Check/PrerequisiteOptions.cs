using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>How Test-MeshPrerequisite reaches the clusters and Google, and what the change will use.</summary>
public sealed record PrerequisiteOptions
{
    public KubeSessionOptions Kube { get; init; } = new();

    /// <summary>How to reach GKE Hub, GKE and Resource Manager; null: the Google checks are Skipped.</summary>
    public GoogleApiOptions? Google { get; init; }

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;

    /// <summary>
    /// -ServerOverride as New-Mesh takes it: cluster (context, Istio cluster name or short name) to the API server
    /// address the other clusters should use. A private GKE control plane passes when its address answers here.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServerOverride { get; init; } = new Dictionary<string, string>();

    /// <summary>The east-west gateways will use internal load balancers (Install-EastWestGateway -InternalLoadBalancer).</summary>
    public bool InternalLoadBalancer { get; init; }

    /// <summary>
    /// The in-cluster probes (docs/design/in-cluster-probes.md): one short-lived pod per cluster calls, for every peer,
    /// the address the peer's API server would be given and its east-west gateway. Null: not run (-SkipInClusterProbe).
    /// </summary>
    public Probe.ProbeOptions? Probes { get; init; }

    /// <summary>How long a -ServerOverride address gets to accept a connection from this machine.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
