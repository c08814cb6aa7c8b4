using System.Text.Json.Nodes;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The east-west gateway needs a Service of type LoadBalancer that gets an address (docs/design/prerequisites.md):
/// on GKE the project's organisation policy may forbid the load-balancer type; on-prem there may be no
/// load-balancer implementation at all.
/// </summary>
internal static class LoadBalancerChecks
{
    public const string Constraint = "constraints/compute.restrictLoadBalancerCreationForTypes";

    /// <summary>What a GKE Service of type LoadBalancer creates: an external passthrough Network LB, or with the internal annotation an internal one.</summary>
    public static (string Type, string Group) GkeType(bool internalLoadBalancer) =>
        internalLoadBalancer ? ("INTERNAL_TCP_UDP", "INTERNAL") : ("EXTERNAL_NETWORK_TCP_UDP", "EXTERNAL");

    public static MeshCheck Policy(PrerequisiteFacts f, bool internalLoadBalancer)
    {
        const string check = PrerequisiteCheckNames.LoadBalancerPolicy;
        if (!f.Snapshot.IsGke)
        {
            return Result.Skip(check, f.Context, "Not a GKE cluster: organisation policy governs Google Cloud load balancers only (see LoadBalancer).");
        }

        var project = f.Gke?.Project ?? f.Snapshot.Target.Cluster.GkeProject ?? "<project>";
        if (f.LoadBalancerPolicy is not { } policy)
        {
            return Result.Skip(check, f.Context, $"The organisation policy of project '{project}' was not read: {f.LoadBalancerPolicyUnavailable}");
        }

        var (type, group) = GkeType(internalLoadBalancer);
        if (!policy.Allows(type, group))
        {
            return Result.Fail(check, f.Context,
                $"Project '{project}' may not create {type} load balancers ({Constraint}: {policy}); the east-west gateway's " +
                "Service would stay <pending>.",
                internalLoadBalancer
                    ? $"Ask the organisation policy administrator to allow INTERNAL_TCP_UDP (or in:INTERNAL) for project '{project}'."
                    : $"Ask the organisation policy administrator to allow EXTERNAL_NETWORK_TCP_UDP (or in:EXTERNAL) for project '{project}', " +
                      "or, when the other clusters reach the VPC privately (VPN), use Install-EastWestGateway -InternalLoadBalancer " +
                      "and check with Test-MeshPrerequisite -InternalLoadBalancer.");
        }

        return Result.Pass(check, f.Context, $"Project '{project}' may create {type} load balancers ({Constraint}: {policy}).");
    }

    /// <summary>
    /// An on-prem cluster has a load-balancer implementation when some Service of type LoadBalancer ever got an
    /// address; when such Services exist and none has one, there is none.
    /// </summary>
    public static MeshCheck Implementation(PrerequisiteFacts f)
    {
        const string check = PrerequisiteCheckNames.LoadBalancer;
        if (!f.Snapshot.Reachable) return ClusterChecks.Unreachable(check, f.Snapshot);
        if (f.Snapshot.IsGke)
        {
            return Result.Skip(check, f.Context, "GKE provides load balancers (LoadBalancerPolicy checks that the project may create them).");
        }

        if (f.LoadBalancerServices is not { } services)
        {
            return Result.Skip(check, f.Context, $"Services could not be listed: {f.ServicesUnavailable}");
        }

        var remedy = "Install a load-balancer implementation (e.g. MetalLB, or the bundled load balancer of Google Distributed Cloud) " +
                     "and re-run Install-EastWestGateway -LoadBalancerIP <address from its pool>, or use " +
                     "Install-EastWestGateway -ExternalIP <address routed to the nodes>.";
        // Only status.loadBalancer.ingress counts: spec.externalIPs are set by hand, not by an implementation.
        var withAddress = services.Where(s => (s["status"]?["loadBalancer"]?["ingress"] as JsonArray)?.Count > 0).ToArray();
        if (withAddress.Length > 0)
        {
            return Result.Pass(check, f.Context,
                $"{withAddress.Length} of {services.Count} Service(s) of type LoadBalancer have an address (e.g. {Name(withAddress[0])}).");
        }

        if (services.Count > 0)
        {
            return Result.Fail(check, f.Context,
                $"None of the {services.Count} Service(s) of type LoadBalancer ({string.Join(", ", services.Take(5).Select(Name))}) " +
                "has ever got an address: the cluster has no load-balancer implementation.", remedy);
        }

        return Result.Warn(check, f.Context,
            "No Service of type LoadBalancer exists, so whether the cluster has a load-balancer implementation is unknown.", remedy);
    }

    private static string Name(JsonObject service) =>
        $"{ClusterSnapshot.Text(service["metadata"]?["namespace"])}/{ClusterSnapshot.Text(service["metadata"]?["name"])}";
}
