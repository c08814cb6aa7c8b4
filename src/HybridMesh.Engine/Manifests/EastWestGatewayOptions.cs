using HybridMesh.Models;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// What the east-west gateway of one cluster should look like (runbook step 3). Plain settable properties with
/// defaults, so a cmdlet, a hashtable cast or a CSV row can fill it; the renderer validates every field and throws
/// a MeshException naming the fix, so nothing here is checked at assignment time.
/// </summary>
public sealed record EastWestGatewayOptions
{
    /// <summary>
    /// The cluster's network id (required): value of the istio-system namespace label topology.istio.io/network.
    /// Must equal that label exactly, or cross-network routing silently breaks.
    /// </summary>
    public string Network { get; init; } = "";

    /// <summary>Control-plane revision (e.g. asm-1282-4); null or empty for an unrevisioned (default) control plane.</summary>
    public string? Revision { get; init; }

    public string Namespace { get; init; } = IstioNames.SystemNamespace;

    /// <summary>
    /// Optional mesh id (proj-NUMBER). Recorded as a metadata label only: the gateway's ISTIO_META_MESH_ID comes from
    /// the control plane at injection, and setting it here could make the two disagree.
    /// </summary>
    public string? MeshId { get; init; }

    public GatewayServiceType ServiceType { get; init; } = GatewayServiceType.LoadBalancer;

    /// <summary>Adds the GKE annotation cloud.google.com/load-balancer-type: "internal" (LoadBalancer only).</summary>
    public bool InternalLoadBalancer { get; init; }

    /// <summary>Requested spec.loadBalancerIP (LoadBalancer only); null lets the provider choose.</summary>
    public string? LoadBalancerIP { get; init; }

    /// <summary>spec.externalIPs: on-prem addresses routed to the nodes when no load balancer assigns one.</summary>
    public IReadOnlyList<string> ExternalIPs { get; init; } = [];

    /// <summary>Extra Service annotations (for example MetalLB or F5 settings); merged after the internal-LB one.</summary>
    public IReadOnlyDictionary<string, string> ServiceAnnotations { get; init; } = new Dictionary<string, string>();

    /// <summary>HorizontalPodAutoscaler bounds; chart defaults 1 and 5.</summary>
    public int MinReplicas { get; init; } = 1;

    public int MaxReplicas { get; init; } = 5;

    /// <summary>Adds a PodDisruptionBudget with minAvailable 1 (recommended for production by istio.io).</summary>
    public bool IncludePodDisruptionBudget { get; init; }

    /// <summary>Names of Secrets in the gateway namespace used to pull the injected proxy image (mirrored registries).</summary>
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];
}
