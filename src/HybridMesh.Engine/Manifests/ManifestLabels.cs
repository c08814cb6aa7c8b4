using HybridMesh.Models;
namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Labels that mark objects as the module's own. Every object a renderer produces carries
/// app.kubernetes.io/managed-by: hybridmesh, so Uninstall-EastWestGateway / Unpublish-MeshService / Remove-Mesh can
/// select exactly what the module created (label selector <see cref="ManagedBySelector"/>) and never touch objects
/// an Istio install or a user made. The label is never part of a selector: selectors are immutable and must stay
/// identical to istioctl's so either tool can take over the other's gateway.
/// </summary>
internal static class ManifestLabels
{
    public const string ManagedByKey = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "hybridmesh";
    public const string ManagedBySelector = ManagedByKey + "=" + ManagedByValue;

    /// <summary>Bookkeeping label recording the mesh id a gateway was installed for (see EastWestGatewayOptions.MeshId).</summary>
    public const string MeshIdKey = "hybridmesh.io/mesh-id";

    public const string NetworkKey = IstioNames.NetworkLabel;
    public const string RevisionKey = "istio.io/rev";
}
