namespace HybridMesh.Models;

/// <summary>
/// Step 2 of the runbook: the fleet project's number, the mesh id and a network id per cluster.
/// </summary>
public sealed class MeshEnvironment
{
    public MeshEnvironment(string fleetProjectId, long projectNumber, IReadOnlyList<ClusterNetwork> clusters)
    {
        FleetProjectId = fleetProjectId;
        ProjectNumber = projectNumber;
        Clusters = clusters.ToArray();
    }

    public string FleetProjectId { get; }
    public long ProjectNumber { get; }

    /// <summary>proj-&lt;project number&gt;, the value asmcli puts in values.global.meshID.</summary>
    public string MeshId => "proj-" + ProjectNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ClusterNetwork[] Clusters { get; }

    /// <summary>Network ids in cluster order, as NETWORK_1..N of the runbook.</summary>
    public string[] Networks => Clusters.Select(c => c.Network).ToArray();

    public override string ToString() => MeshId;
}
