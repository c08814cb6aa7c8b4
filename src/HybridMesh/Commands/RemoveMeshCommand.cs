using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Remove-Mesh: undoes New-Mesh. Without -Leaving every remote secret of the given clusters is deleted; with
/// -Leaving only the named clusters leave: their own remote secrets and, in the others, the secrets pointing at them.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Mesh", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AppliedObject))]
public sealed class RemoveMeshCommand : MeshTargetCmdlet
{
    /// <summary>Contexts (or MeshCluster objects) that leave the mesh; the other clusters stay meshed with each other.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[] Leaving { get; set; } = [];

    /// <summary>Also delete the reader token Secrets of the leaving clusters, which revokes their token everywhere.</summary>
    [Parameter]
    public SwitchParameter IncludeReaderToken { get; set; }

    /// <summary>Emit one object per Secret deleted, skipped (declined, -WhatIf) or already gone, like Uninstall-EastWestGateway.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Seconds one Kubernetes request may take, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>Deprecated name of -RequestTimeoutSec, accepted for one release with a warning.</summary>
    [Parameter(DontShow = true)]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var request = new Engine.Steps.Mesh.MeshRemovalRequest
        {
            Targets = Targets,
            Leaving = Leaving,
            IncludeReaderToken = IncludeReaderToken,
            ThrottleLimit = ThrottleLimit,
            Kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(RequestTimeout.Seconds(this, RequestTimeoutSec, TimeoutSec)) },
        };
        try
        {
            var removed = RunEngine((sink, token) => Engine.Steps.Mesh.MeshRemover.RemoveObjectsAsync(request, sink, token));
            WriteVerbose($"Deleted {removed.Count(o => o.Outcome == ObjectOutcome.Deleted)} Secret(s).");
            if (PassThru)
            {
                WriteObject(removed, true);
            }
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
        }
    }
}
