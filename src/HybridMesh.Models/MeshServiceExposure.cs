namespace HybridMesh.Models;

/// <summary>
/// The cross-network Gateway of one cluster after Publish-MeshService: which hosts its east-west gateway passes
/// through on 15443, and in which Gateway API version. Carries the same binding keys as EastWestGateway so the next
/// step (New-Mesh) binds it by property name.
/// </summary>
public sealed class MeshServiceExposure
{
    public MeshServiceExposure(MeshCluster cluster, string apiVersion, IReadOnlyList<string> hosts, AppliedObject gateway)
    {
        Cluster = cluster;
        ApiVersion = apiVersion;
        Hosts = hosts.ToArray();
        Gateway = gateway;
    }

    public MeshCluster Cluster { get; }

    public string Context => Cluster.Context;

    public KubeconfigList Kubeconfig => Cluster.Kubeconfig;

    public string? Network { get; init; }

    public string? FleetProjectId { get; init; }

    public string? MeshId { get; init; }

    public string? Revision { get; init; }

    /// <summary>networking.istio.io/v1, v1beta1 or v1alpha3: the newest the cluster serves.</summary>
    public string ApiVersion { get; }

    /// <summary>Hosts passed through with AUTO_PASSTHROUGH ("*.local" exposes every service).</summary>
    public string[] Hosts { get; }

    /// <summary>The Gateway object cross-network-gateway and what was done to it.</summary>
    public AppliedObject Gateway { get; }

    public ObjectOutcome Outcome => Gateway.Outcome;

    /// <summary>The east-west gateway's address when its Service has one.</summary>
    public string? GatewayAddress { get; init; }

    public override string ToString() => Context;
}
