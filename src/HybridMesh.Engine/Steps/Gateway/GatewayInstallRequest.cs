using HybridMesh.Models;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>What Install-EastWestGateway was asked for, shared by every cluster of one run.</summary>
public sealed record GatewayInstallRequest
{
    /// <summary>The gateway's shape. Network, Revision and MeshId are filled per cluster (see below) when empty.</summary>
    public EastWestGatewayOptions Gateway { get; init; } = new();

    /// <summary>Overrides every target's network (-Network); null: the target's network, else the namespace label.</summary>
    public string? Network { get; init; }

    /// <summary>Overrides every target's revision (-Revision); null: the target's, else the one istiod revision found.</summary>
    public string? Revision { get; init; }

    /// <summary>Take over conflicting fields, relabel a differently labelled istio-system, recreate the Deployment.</summary>
    public bool Force { get; init; }

    /// <summary>Return as soon as the objects are applied, without waiting for the load-balancer address.</summary>
    public bool NoWait { get; init; }

    /// <summary>How long to wait for the load-balancer address.</summary>
    public TimeSpan AddressTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the Service is read while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
}
