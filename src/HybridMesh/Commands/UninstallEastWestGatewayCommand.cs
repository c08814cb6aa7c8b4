using System.Management.Automation;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Uninstall-EastWestGateway: deletes the east-west gateway objects the module created (those labelled
/// app.kubernetes.io/managed-by=hybridmesh) and the istio-system network label if the module added it.
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "EastWestGateway", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AppliedObject))]
public sealed class UninstallEastWestGatewayCommand : MeshTargetCmdlet
{
    /// <summary>Namespace of the gateway (default istio-system).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Namespace { get; set; } = IstioNames.SystemNamespace;

    /// <summary>Leave the topology.istio.io/network label on istio-system even if the module added it.</summary>
    [Parameter]
    public SwitchParameter KeepNetworkLabel { get; set; }

    /// <summary>Emit one object per Kubernetes object deleted, skipped or left in place.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var removed = RunEngine((sink, token) => Engine.Steps.Gateway.GatewayRemover.UninstallManyAsync(
            Targets, Namespace, KeepNetworkLabel, new Engine.Kube.KubeSessionOptions(), sink, ThrottleLimit, token));
        if (PassThru)
        {
            WriteObject(removed, true);
        }
    }
}
