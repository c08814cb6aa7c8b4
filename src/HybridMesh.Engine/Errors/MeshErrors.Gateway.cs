using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors of the gateway steps (Install-/Uninstall-EastWestGateway, Publish-/Unpublish-MeshService): the cluster is
/// not in a state the step can build on, or the step would have to do something destructive without -Force.
/// </summary>
internal static partial class MeshErrors
{
    public static MeshException IstioNamespaceMissing(string context, string ns) => new(
        "IstioNamespaceMissing", MeshErrorCategory.NotInstalled, context,
        $"Context '{context}' has no namespace '{ns}': the Istio control plane is not installed there.",
        "Install Cloud Service Mesh on the cluster first (asmcli install), then run the command again.");

    public static MeshException RevisionNotFound(string context) => new(
        "RevisionNotFound", MeshErrorCategory.NotInstalled, context,
        $"Context '{context}' runs no istiod (no Deployment labelled app=istiod in istio-system), so there is no " +
        "control-plane revision for the gateway's injection.",
        "Install Cloud Service Mesh on the cluster first, or pass -Revision with the revision that will serve it.");

    public static MeshException RevisionAmbiguous(string context, IEnumerable<string> revisions)
    {
        var list = string.Join(", ", revisions);
        return new MeshException(
            "RevisionAmbiguous", MeshErrorCategory.InvalidArgument, context,
            $"Context '{context}' runs several control-plane revisions ({list}); the gateway must be injected by one.",
            $"Pass -Revision with one of: {list} (normally the newest, the one workloads are moving to).");
    }

    public static MeshException NetworkUnknown(string context) => new(
        "NetworkUnknown", MeshErrorCategory.InvalidArgument, context,
        $"The network of context '{context}' is not known: the istio-system namespace has no " +
        "topology.istio.io/network label and no network was given.",
        "Pipe the output of Get-MeshEnvironment (it computes the network ids), or pass -Network (GKE: " +
        "<project>-<VPC network>, on-premises: default).");

    public static MeshException NetworkLabelMismatch(string context, string labelled, string requested) => new(
        "NetworkLabelMismatch", MeshErrorCategory.InvalidOperation, context,
        $"Context '{context}': namespace istio-system is labelled topology.istio.io/network={labelled}, but the " +
        $"gateway was asked for network '{requested}'. istiod uses the label for every workload of the cluster, so " +
        "a gateway for another network would break cross-network routing.",
        $"Use -Network {labelled} (the label's value; Get-MeshEnvironment reads it), or, if '{requested}' is right " +
        "and the label is wrong, re-run with -Force to relabel istio-system (restart istiod and workloads afterwards).");

    public static MeshException GatewaySelectorChange(string context, string ns, string name) => new(
        "GatewaySelectorChange", MeshErrorCategory.InvalidOperation, $"Deployment {ns}/{name} @ {context}",
        $"Context '{context}': Deployment {ns}/{name} exists with another selector (another network label). A " +
        "Deployment's selector cannot be changed, so the gateway would have to be deleted and recreated, which " +
        "interrupts cross-network traffic until the new pods are ready.",
        "Re-run with -Force to delete and recreate the Deployment (add -WhatIf first to see the plan), or keep " +
        "the existing network with -Network.");

    public static MeshException GatewayAddressTimeout(string context, string ns, string name, int seconds) => new(
        "GatewayAddressTimeout", MeshErrorCategory.OperationTimeout, $"Service {ns}/{name} @ {context}",
        $"Context '{context}': Service {ns}/{name} got no load-balancer address within {seconds} s " +
        "(EXTERNAL-IP stays <pending>). Usual causes: the cluster has no load-balancer implementation (common " +
        "on-premises: install MetalLB or use the vendor's), the address pool is exhausted, a requested " +
        "-LoadBalancerIP is not available, or the cloud project may not create load balancers (quota, policy).",
        "On-premises without a load balancer, pass -ExternalIP with an address routed to the nodes (or " +
        "-LoadBalancerIP from your load balancer's pool); check kubectl describe service -n istio-system " +
        "istio-eastwestgateway for events; use -TimeoutSec to wait longer or -NoWait to return at once.");

    public static MeshException EastWestGatewayMissing(string context, string ns) => new(
        "EastWestGatewayMissing", MeshErrorCategory.ObjectNotFound, context,
        $"Context '{context}' has no east-west gateway in namespace '{ns}' (no Deployment labelled " +
        "istio=eastwestgateway), so a cross-network Gateway would select nothing.",
        "Run Install-EastWestGateway on the cluster first (or pipe its output into Publish-MeshService).");

    public static MeshException ObjectNotManaged(string context, string what) => new(
        "ObjectNotManaged", MeshErrorCategory.InvalidOperation, $"{what} @ {context}",
        $"Context '{context}': {what} exists but was not created by HybridMesh (no label " +
        "app.kubernetes.io/managed-by=hybridmesh), so it is left in place.",
        "Remove it with the tool that installed it (istioctl uninstall, helm uninstall, kubectl delete), or delete " +
        "it by hand if you are sure it is no longer needed.");
}
