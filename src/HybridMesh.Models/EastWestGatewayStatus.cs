namespace HybridMesh.Models;

/// <summary>Where an east-west gateway stands after Install-EastWestGateway.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum EastWestGatewayStatus : long
{
    /// <summary>Applied and the Service has an address other clusters can use.</summary>
    Ready,

    /// <summary>Applied, but the load balancer has not assigned an address yet (-NoWait).</summary>
    Pending,

    /// <summary>Applied; the Service type (NodePort/ClusterIP without external IPs) gets no external address.</summary>
    NoExternalAddress,

    /// <summary>Not (fully) applied: -WhatIf, or a change was declined.</summary>
    NotApplied,
}
