using System.Management.Automation;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Unpublish-MeshService: deletes the cross-network-gateway Gateway the module created (labelled
/// app.kubernetes.io/managed-by=hybridmesh), so services are no longer reachable from other networks.
/// </summary>
[Cmdlet(VerbsData.Unpublish, "MeshService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[Alias("Unpublish-MeshServices")]
[OutputType(typeof(AppliedObject))]
public sealed class UnpublishMeshServiceCommand : MeshTargetCmdlet
{
    /// <summary>Namespace of the Gateway (default istio-system).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Namespace { get; set; } = IstioNames.SystemNamespace;

    /// <summary>Emit what was deleted, skipped or left in place.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var removed = RunEngine((sink, token) => Engine.Steps.Gateway.GatewayRemover.UnpublishManyAsync(
            Targets, Namespace, new Engine.Kube.KubeSessionOptions(), sink, ThrottleLimit, token));
        if (PassThru)
        {
            WriteObject(removed, true);
        }
    }
}
