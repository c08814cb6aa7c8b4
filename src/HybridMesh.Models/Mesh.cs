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

    /// <summary>
    /// The clusters of the mesh, named Cluster so that it binds to -Cluster of the next step. There is no Clusters
    /// alias: two properties holding the same clusters confused readers of the output and of ConvertTo-Json.
    /// </summary>
    public MeshCluster[] Cluster { get; }

    public MeshLink[] Links { get; }

    public int Connected => Links.Count(l => l.Status == MeshLinkStatus.Connected);

    public override string ToString() => MeshId ?? FleetProjectId ?? "mesh";
}
