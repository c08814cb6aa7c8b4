using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// One cluster as New-Mesh sees it after the reads: its session (shared by every link that touches it, so
/// discovery runs once per cluster), its Istio facts and the remote secrets already in its Istio namespace.
/// </summary>
internal sealed class MeshMember : IDisposable
{
    public MeshMember(MeshTarget target)
    {
        Target = target;
    }

    public MeshTarget Target { get; }
    public string Context => Target.Context;
    public KubeSession? Session { get; set; }

    /// <summary>What the pre-flight read of the cluster (the same snapshot Test-MeshConnectivity's rules judge).</summary>
    public Check.ClusterSnapshot? Snapshot { get; set; }

    public ClusterDetails? Details => Snapshot?.Details;

    /// <summary>Set when the API server could not be reached; every link touching this cluster then fails alone.</summary>
    public MeshException? Unreachable => Snapshot is { Unreachable: true } s ? s.Error : null;

    /// <summary>Any other failure to read the cluster (credentials, RBAC, kubeconfig): stops the run.</summary>
    public MeshException? ReadFailure => Snapshot is { Unreachable: false, Error: { } error } ? error : null;

    /// <summary>The -ServerOverride address for this cluster, once its key was resolved (MeshRequestValidator).</summary>
    public string? ServerOverride { get; set; }

    /// <summary>Secrets labelled istio/multiCluster=true in istio-system, as listed before wiring.</summary>
    public IReadOnlyList<Check.RemoteSecretEntry> RemoteSecrets => Snapshot?.RemoteSecrets ?? [];

    private Dictionary<string, Check.RemoteSecretEntry>? _remoteSecretsByName;

    /// <summary>
    /// The listed remote secret of that name, or null. Indexed once: every link into this cluster looks its secret up,
    /// and a scan per link made a 250-cluster re-run O(N³) (docs/design/scale.md).
    /// </summary>
    public Check.RemoteSecretEntry? RemoteSecret(string name) =>
        (Volatile.Read(ref _remoteSecretsByName) ?? LazyInitializer.EnsureInitialized(ref _remoteSecretsByName, () => RemoteSecrets
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)))
            .GetValueOrDefault(name);

    /// <summary>istiod's CLUSTER_ID; the context until it is known (unreachable clusters).</summary>
    public string ClusterName => Details?.IstioClusterName ?? Context;

    public string? NetworkLabel => Details?.NetworkLabel;

    /// <summary>The network the cluster's endpoints get: the label on istio-system, else what the pipeline said.</summary>
    public string? Network => NetworkLabel ?? Target.Network;

    /// <summary>The revision whose reader ClusterRole is expected (null for the default revision).</summary>
    public string? Revision
    {
        get
        {
            var revision = Target.Revision ?? Details?.IstioRevisions.FirstOrDefault();
            return revision is null or "default" ? null : revision;
        }
    }

    public MeshCluster Cluster => Details is null ? Target.Cluster : Target.Cluster.WithDetails(Details);

    public void Dispose() => Session?.Dispose();
}
