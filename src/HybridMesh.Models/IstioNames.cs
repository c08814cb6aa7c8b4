namespace HybridMesh.Models;

/// <summary>
/// Names fixed by Istio / Cloud Service Mesh that every layer uses (docs/design/gateway-objects.md): defined once here,
/// the assembly the Engine, the cmdlets and the output types all reference.
/// </summary>
public static class IstioNames
{
    /// <summary>The control plane's namespace, where the gateways, remote secrets and reader identity live.</summary>
    public const string SystemNamespace = "istio-system";

    /// <summary>The label on the control-plane namespace (and gateway objects) that names a cluster's network.</summary>
    public const string NetworkLabel = "topology.istio.io/network";
}
