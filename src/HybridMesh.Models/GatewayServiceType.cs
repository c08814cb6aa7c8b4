namespace HybridMesh.Models;

/// <summary>
/// Kubernetes Service type for the east-west gateway. LoadBalancer is what the runbook uses; NodePort and ClusterIP
/// exist for on-prem clusters without a load-balancer implementation, where the address reaches the gateway some
/// other way (for example spec.externalIPs, which works with any type).
/// </summary>
public enum GatewayServiceType
{
    LoadBalancer,
    NodePort,
    ClusterIP,
}
