using System.Management.Automation;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Update-MeshLinkCredential: rotates the reader token of source clusters without a gap — new token Secret, proof,
/// every target's remote secret rewritten and read back, and only then the old token Secret deleted. A failed target
/// keeps both tokens valid; running the command again finishes the rotation.
/// </summary>
[Cmdlet(VerbsData.Update, "MeshLinkCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MeshLinkRotation))]
public sealed class UpdateMeshLinkCredentialCommand : MeshTargetCmdlet
{
    /// <summary>Contexts or Istio cluster names whose reader token is rotated (default: every given cluster).</summary>
    [Parameter]
    public string[] Source { get; set; } = [];

    /// <summary>Rotate only reader tokens at least this many days old (for a nightly runbook).</summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int? OlderThanDays { get; set; }

    /// <summary>Seconds the token controller gets to fill the new token Secret.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TokenWaitSec { get; set; } = 15;

    /// <summary>Seconds each target's istiod gets to list the source as synced from the rewritten secret.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    /// <summary>Seconds one Kubernetes request may take, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>
    /// Verify each target by the workstation proof only (no pods/exec into istiod). By default, where istiod's
    /// /debug/clusterz is readable, each target is verified when every istiod pod lists the source as synced from the
    /// rewritten secret, waiting up to -TimeoutSec.
    /// </summary>
    [Parameter]
    public SwitchParameter SkipIstiodView { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        // -WhatIf declines every write; the engine also needs to know, to list the later steps and skip the proof (a POST).
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? ((SwitchParameter)value).IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        var kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(RequestTimeoutSec) };
        var request = new Engine.Steps.Links.LinkRotationRequest
        {
            Targets = Targets,
            Sources = Source,
            OlderThan = OlderThanDays is { } days ? TimeSpan.FromDays(days) : null,
            WhatIf = whatIf,
            ThrottleLimit = ThrottleLimit,
            TokenWait = TimeSpan.FromSeconds(TokenWaitSec),
            Kube = kube,
            SyncReader = SkipIstiodView ? null : new Engine.Steps.Links.IstiodLinkSyncReader(kube, cache: false),
            SyncWait = TimeSpan.FromSeconds(TimeoutSec),
        };
        try
        {
            foreach (var rotation in RunEngine((sink, token) => Engine.Steps.Links.CredentialRotator.RotateAsync(request, sink, token)))
            {
                WriteObject(rotation);
            }
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
        }
    }
}
