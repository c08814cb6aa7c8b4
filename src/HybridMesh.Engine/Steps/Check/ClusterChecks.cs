using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Checks of one cluster on its own (docs/design/rules.md, gateway-objects.md): API reachable, Istio revision, network label set and unique,
/// east-west gateway available with an address and the network label, cross-network-gateway with AUTO_PASSTHROUGH.
/// </summary>
internal static class ClusterChecks
{
    private const string Ns = IstioNames.SystemNamespace;

    public static MeshCheck ApiServer(ClusterSnapshot s) => s.Error is { } error
        ? Result.Fail(CheckNames.ApiServer, s.Context, error.Message, error.RecommendedAction)
        : Result.Pass(CheckNames.ApiServer, s.Context, $"{s.Server} answers (Kubernetes {s.Details?.ServerVersion}).");

    /// <summary>
    /// istiod installed, the chosen revision present, exactly one CLUSTER_ID for it, and no other cluster with that
    /// Istio cluster name (remote secrets are keyed by it, so istiod would ignore all but one).
    /// </summary>
    public static RuleVerdict IstioRevision(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all)
    {
        const string check = CheckNames.IstioRevision;
        if (!s.Reachable) return Unreachable(check, s);
        var revisions = s.Details?.IstioRevisions ?? [];
        if (revisions.Length == 0)
        {
            return new(Result.Fail(check, s.Context, $"No istiod Deployment (label app=istiod) in {Ns}.",
                "Install Cloud Service Mesh in the cluster (asmcli install) before linking it."), MeshErrors.MeshIstioNotInstalled(s.Context));
        }

        if (s.Target.Revision is { Length: > 0 } wanted && !revisions.Contains(wanted, StringComparer.Ordinal))
        {
            var error = MeshErrors.MeshRevisionNotInstalled(s.Context, wanted, revisions);
            return new(Result.Fail(check, s.Context, error.Message,
                $"Use one of the installed revisions ({string.Join(", ", revisions)}) with -Revision."), error);
        }

        var candidates = s.Istiods.Where(i => s.Target.Revision is not { Length: > 0 } r || i.Revision == r).ToArray();
        var ids = candidates.Select(i => i.ClusterId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length > 1)
        {
            var error = MeshErrors.MeshClusterIdAmbiguous(s.Context,
                candidates.Where(i => i.ClusterId is not null).Select(i => $"{i.Name} (revision {i.Revision}): {i.ClusterId}"));
            return new(Result.Fail(check, s.Context, error.Message, error.RecommendedAction), error);
        }

        if (s.Details?.IstioClusterName is not { Length: > 0 } name)
        {
            var error = MeshErrors.MeshClusterNameMissing(s.Context);
            return new(Result.Fail(check, s.Context, error.Message, error.RecommendedAction), error);
        }

        var same = all.Where(o => o.Reachable && o.Details?.IstioClusterName == name).Select(o => o.Context).ToArray();
        if (same.Length > 1)
        {
            var error = MeshErrors.MeshClusterNameDuplicate(name, same);
            return new(Result.Fail(check, s.Context, error.Message, error.RecommendedAction), error);
        }

        return Result.Pass(check, s.Context, $"istiod revision(s): {string.Join(", ", revisions)}; Istio cluster name '{name}'.");
    }

    /// <summary>The NetworkLabel check: the label is set, then the network is the cluster's own.</summary>
    public static RuleVerdict NetworkLabel(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all, bool allowShared = false) =>
        RuleVerdict.FirstProblem(NetworkLabelSet(s), NetworkDistinct(s, all, allowShared));

    /// <summary>
    /// The NetworkLabel rule before anything is installed (Test-MeshPrerequisite): Install-EastWestGateway writes the
    /// label from the network the input names, so a missing label is only a problem when the input names none; the
    /// network must still be the cluster's own (docs/design/prerequisites.md).
    /// </summary>
    public static RuleVerdict NetworkPlanned(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all, bool allowShared = false) =>
        s.Reachable && string.IsNullOrEmpty(s.Details?.NetworkLabel) && !string.IsNullOrEmpty(s.Target.Network)
            ? NetworkDistinct(s, all, allowShared)
            : NetworkLabel(s, all, allowShared);

    /// <summary>istio-system carries topology.istio.io/network (istiod gives the cluster's endpoints that network).</summary>
    public static RuleVerdict NetworkLabelSet(ClusterSnapshot s)
    {
        const string check = CheckNames.NetworkLabel;
        if (!s.Reachable) return Unreachable(check, s);
        if (!string.IsNullOrEmpty(s.Details?.NetworkLabel))
        {
            return Result.Pass(check, s.Context, $"Network '{s.Details.NetworkLabel}'.");
        }

        return Result.Fail(check, s.Context,
            $"Namespace {Ns} has no {IstioNames.NetworkLabel} label" +
            (s.Target.Network is { } input ? $"; assuming network '{input}' from the input." : " and the input names no network."),
            $"Label it with the cluster's network id: kubectl label namespace {Ns} {IstioNames.NetworkLabel}=<network> " +
            "(the id Get-MeshEnvironment reports), then re-run Install-EastWestGateway with that -Network.");
    }

    /// <summary>
    /// No two clusters on one network (the label, else the network the input gives): istiod would route to the
    /// peer's pod IPs directly instead of through its east-west gateway (docs/design/verification.md).
    /// </summary>
    public static RuleVerdict NetworkDistinct(ClusterSnapshot s, IReadOnlyList<ClusterSnapshot> all, bool allowShared)
    {
        const string check = CheckNames.NetworkLabel;
        if (!s.Reachable) return Unreachable(check, s);
        if (Network(s) is not { } label)
        {
            return Result.Skip(check, s.Context, "No network is known for the cluster.");
        }

        var sharing = all.Where(o => !ReferenceEquals(o, s) && o.Reachable && Network(o) == label).ToArray();
        // GKE clusters on one VPC share a network id by design (their pods reach each other directly; the seed
        // requires one VPC for all GKE clusters): not a conflict. Only when GKE was read do we know the VPCs; two GKE
        // clusters on different VPCs with one id still fail (docs/design/prerequisites.md).
        var sameVpc = sharing.Where(o => OneGkeVpc(s, o)).Select(o => o.Context).ToArray();
        var same = sharing.Where(o => !OneGkeVpc(s, o)).Select(o => o.Context).ToArray();
        if (same.Length == 0 && sameVpc.Length > 0)
        {
            return Result.Pass(check, s.Context,
                $"Network '{label}', shared with {string.Join(", ", sameVpc)}: GKE clusters on one VPC" +
                (s.GkeVpc is { } vpc ? $" ({vpc})" : "") + " share a network id by design.");
        }

        if (same.Length > 0 && allowShared)
        {
            // GKE clusters on one VPC share a network on purpose: their pods reach each other without a gateway.
            return Result.Warn(check, s.Context,
                $"Network '{label}' is shared with {string.Join(", ", same)} (allowed by -AllowSharedNetwork): their pods must " +
                "reach each other directly.",
                "Make sure the clusters really share one flat pod network (for example GKE clusters on one VPC).");
        }

        if (same.Length > 0)
        {
            return new(Result.Fail(check, s.Context,
                $"Network '{label}' is also the network of {string.Join(", ", same)}; clusters on different networks need distinct ids " +
                "or istiod routes to the peer's pod IPs directly instead of through its east-west gateway.",
                $"Give each cluster its own network id (kubectl label namespace {Ns} {IstioNames.NetworkLabel}=<id> --overwrite), " +
                "then re-run Install-EastWestGateway with it; or pass -AllowSharedNetwork when the pods really share one flat network."),
                MeshErrors.MeshNetworkShared(label, all.Where(o => o.Reachable && Network(o) == label).Select(o => o.Context)));
        }

        return Result.Pass(check, s.Context, $"Network '{label}', not shared with any other cluster.");
    }

    /// <summary>Both are GKE clusters and, where GKE was read for both, on the same VPC (unknown VPCs count as one).</summary>
    internal static bool OneGkeVpc(ClusterSnapshot a, ClusterSnapshot b) =>
        a.IsGke && b.IsGke && (a.GkeVpc is null || b.GkeVpc is null || string.Equals(a.GkeVpc, b.GkeVpc, StringComparison.Ordinal));

    /// <summary>The network the cluster's endpoints get: the label on istio-system, else what the input said.</summary>
    internal static string? Network(ClusterSnapshot s) => s.Details?.NetworkLabel is { Length: > 0 } label ? label : s.Target.Network;

    public static MeshCheck EastWestGateway(ClusterSnapshot s)
    {
        const string check = CheckNames.EastWestGateway;
        const string name = EastWestGatewayRenderer.GatewayName;
        if (!s.Reachable) return Unreachable(check, s);
        var network = s.Details?.NetworkLabel;
        var install = $"Install-EastWestGateway -Network {(string.IsNullOrEmpty(network) ? "<network>" : network)}";
        if (s.EastWestService is not { } service)
        {
            return Result.Fail(check, s.Context, $"Service {Ns}/{name} does not exist.", $"Run {install}.");
        }

        if (!DeploymentAvailable(s.EastWestDeployment, out var deploymentState))
        {
            return Result.Fail(check, s.Context, deploymentState,
                $"Run {install}; if it is installed, see why its pods are not ready (kubectl -n {Ns} describe deployment {name}).");
        }

        var serviceNetwork = ClusterSnapshot.Text(service["metadata"]?["labels"]?[IstioNames.NetworkLabel]);
        if (string.IsNullOrEmpty(serviceNetwork))
        {
            return Result.Fail(check, s.Context,
                $"Service {Ns}/{name} has no {IstioNames.NetworkLabel} label, so istiod does not treat it as a network gateway.",
                $"Re-run {install}.");
        }

        if (!string.IsNullOrEmpty(network) && serviceNetwork != network)
        {
            return Result.Fail(check, s.Context,
                $"Service {Ns}/{name} is labelled for network '{serviceNetwork}' but the cluster's network ({Ns} label) is '{network}'.",
                $"Re-run {install} (the Deployment is recreated, since its selector holds the network).");
        }

        var ports = (service["spec"]?["ports"] as JsonArray ?? []).Select(p => (int?)p?["port"]).ToArray();
        if (!ports.Contains(EastWestGatewayRenderer.TlsPort))
        {
            return Result.Fail(check, s.Context, $"Service {Ns}/{name} does not listen on {EastWestGatewayRenderer.TlsPort}.",
                $"Re-run {install}.");
        }

        var addresses = Addresses(service);
        if (addresses.Count == 0)
        {
            return Result.Fail(check, s.Context,
                $"Service {Ns}/{name} has no external address (EXTERNAL-IP <pending>): peers cannot reach network '{serviceNetwork}'.",
                "Give the cluster a load-balancer implementation (on-prem: MetalLB or similar) and re-run " +
                "Install-EastWestGateway -LoadBalancerIP <address from its pool>, or re-run Install-EastWestGateway " +
                "-ExternalIP <address routed to the nodes>.");
        }

        return Result.Pass(check, s.Context,
            $"{name} available ({deploymentState}), address {string.Join(", ", addresses)}, network '{serviceNetwork}'.");
    }

    public static MeshCheck CrossNetworkGateway(ClusterSnapshot s)
    {
        const string check = CheckNames.CrossNetworkGateway;
        const string name = CrossNetworkGatewayRenderer.GatewayName;
        if (!s.Reachable) return Unreachable(check, s);
        if (s.Gateways is null)
        {
            return Result.Fail(check, s.Context, "The networking.istio.io Gateway kind is not served (Istio CRDs missing).",
                "Install Cloud Service Mesh in the cluster, then run Publish-MeshService.");
        }

        var exposing = s.Gateways.FirstOrDefault(ExposesServices);
        if (exposing is not null)
        {
            var exposingName = ClusterSnapshot.Text(exposing["metadata"]?["name"]);
            return Result.Pass(check, s.Context,
                $"Gateway {Ns}/{exposingName} exposes *.local with AUTO_PASSTHROUGH on {EastWestGatewayRenderer.TlsPort}, selecting istio=eastwestgateway.");
        }

        var named = s.Gateways.FirstOrDefault(g => ClusterSnapshot.Text(g["metadata"]?["name"]) == name);
        return Result.Fail(check, s.Context,
            named is null
                ? $"No Gateway in {Ns} exposes services on {EastWestGatewayRenderer.TlsPort} (Gateway {name} does not exist)."
                : $"Gateway {Ns}/{name} exists but has no AUTO_PASSTHROUGH server on {EastWestGatewayRenderer.TlsPort} for *.local selecting istio=eastwestgateway.",
            "Run Publish-MeshService.");
    }

    /// <summary>A Gateway selecting the east-west gateway with an AUTO_PASSTHROUGH server on 15443 whose hosts cover *.local.</summary>
    internal static bool ExposesServices(JsonObject gateway)
    {
        if (ClusterSnapshot.Text(gateway["spec"]?["selector"]?["istio"]) != "eastwestgateway")
        {
            return false;
        }

        return (gateway["spec"]?["servers"] as JsonArray ?? []).OfType<JsonObject>().Any(server =>
            (int?)server["port"]?["number"] == EastWestGatewayRenderer.TlsPort &&
            ClusterSnapshot.Text(server["tls"]?["mode"]) == "AUTO_PASSTHROUGH" &&
            (server["hosts"] as JsonArray ?? []).Select(ClusterSnapshot.Text).Any(h => h is "*.local" or "*" or "*/*.local" or "*/*"));
    }

    /// <summary>Load-balancer ingress IPs/hostnames, else spec.externalIPs (what istiod uses as the gateway address).</summary>
    internal static IReadOnlyList<string> Addresses(JsonObject service)
    {
        var result = new List<string>();
        foreach (var ingress in (service["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((ClusterSnapshot.Text(ingress["ip"]) ?? ClusterSnapshot.Text(ingress["hostname"])) is { Length: > 0 } address)
            {
                result.Add(address);
            }
        }

        if (result.Count == 0)
        {
            result.AddRange((service["spec"]?["externalIPs"] as JsonArray ?? []).Select(ClusterSnapshot.Text).OfType<string>());
        }

        return result;
    }

    private static bool DeploymentAvailable(JsonObject? deployment, out string state)
    {
        if (deployment is null)
        {
            state = $"Deployment {Ns}/{EastWestGatewayRenderer.GatewayName} does not exist.";
            return false;
        }

        var available = (int?)deployment["status"]?["availableReplicas"] ?? 0;
        var wanted = (int?)deployment["spec"]?["replicas"] ?? 1;
        state = $"{available}/{wanted} replicas available";
        if (available < 1)
        {
            state = $"Deployment {Ns}/{EastWestGatewayRenderer.GatewayName} has no available replica ({state}).";
            return false;
        }

        return true;
    }

    internal static MeshCheck Unreachable(string check, ClusterSnapshot s, string? peer = null) =>
        Result.Skip(check, s.Context, $"Not checked: the API server of '{s.Context}' cannot be read.", peer);
}
