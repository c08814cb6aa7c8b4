namespace HybridMesh.Models;

/// <summary>
/// Kubernetes Service type for the east-west gateway. LoadBalancer is what the runbook uses; NodePort and ClusterIP
/// exist for on-prem clusters without a load-balancer implementation, where the address reaches the gateway some
/// other way (for example spec.externalIPs, which works with any type).
/// </summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum GatewayServiceType : long
{
    LoadBalancer,
    NodePort,
    ClusterIP,
}
