using System.Text.Json.Nodes;
using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// What Test-MeshPrerequisite reads about one cluster beyond the shared snapshot (docs/design/prerequisites.md).
/// Each fact is either read or carries why it could not be (the check is then Skipped with that reason).
/// </summary>
internal sealed class PrerequisiteFacts
{
    public required ClusterSnapshot Snapshot { get; init; }
    public string Context => Snapshot.Context;

    /// <summary>GKE's clusters.get for a GKE cluster; null with <see cref="GkeUnavailable"/> set otherwise.</summary>
    public GkeClusterInfo? Gke { get; set; }
    public string? GkeUnavailable { get; set; }

    /// <summary>The effective restrictLoadBalancerCreationForTypes policy of the GKE cluster's project.</summary>
    public EffectiveListPolicy? LoadBalancerPolicy { get; set; }
    public string? LoadBalancerPolicyUnavailable { get; set; }

    /// <summary>Every Service of type LoadBalancer in the cluster; null when they could not be listed.</summary>
    public IReadOnlyList<JsonObject>? LoadBalancerServices { get; set; }
    public string? ServicesUnavailable { get; set; }

    /// <summary>istiod's mesh config (ConfigMap istio-&lt;revision&gt; or istio): data.mesh as text, by ConfigMap name.</summary>
    public IReadOnlyDictionary<string, string> MeshConfigs { get; set; } = new Dictionary<string, string>();

    /// <summary>The version of each istiod revision (image tag, else revision name).</summary>
    public IReadOnlyList<IstiodVersion> IstiodVersions { get; set; } = [];

    /// <summary>SelfSubjectAccessReview answers, in the order of <see cref="RunbookPermissions.All"/>.</summary>
    public IReadOnlyList<(RunbookPermission Permission, AccessReviewAnswer Answer)>? Access { get; set; }
    public string? AccessUnavailable { get; set; }

    /// <summary>The -ServerOverride address for this cluster, and whether this machine reached it (null: not tried).</summary>
    public Uri? ServerOverride { get; set; }
    public string? OverrideUnreachable { get; set; }

    /// <summary>PEM of the cluster CA (istio-system/kube-root-ca.crt): what the peers' probe pods verify this API server with.</summary>
    public string? ClusterCa { get; set; }
}
