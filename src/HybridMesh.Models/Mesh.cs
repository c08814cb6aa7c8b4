namespace HybridMesh.Models;

/// <summary>
/// Step 5 of the runbook: the clusters that discover each other's endpoints and the links between them. Carries
/// the binding keys of the later steps: Clusters (MeshCluster[]), FleetProjectId and MeshId.
/// </summary>
public sealed class Mesh
{
    public Mesh(string? meshId, string? fleetProjectId, IReadOnlyList<MeshCluster> clusters, IReadOnlyList<MeshLink> links)
    {
        MeshId = meshId;
        FleetProjectId = fleetProjectId;
        Cluster = clusters.ToArray();
        Links = links.ToArray();
    }

    public string? MeshId { get; }
    public string? FleetProjectId { get; }

    /// <summary>The clusters of the mesh (named Cluster so that it binds to -Cluster of the next step).</summary>
    public MeshCluster[] Cluster { get; }

    /// <summary>Alias of <see cref="Cluster"/>.</summary>
    public MeshCluster[] Clusters => Cluster;

    public MeshLink[] Links { get; }

    public int Connected => Links.Count(l => l.Status == MeshLinkStatus.Connected);

    public override string ToString() => MeshId ?? FleetProjectId ?? "mesh";
}
