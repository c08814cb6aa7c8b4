using System.Collections;
using System.Management.Automation;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Test-MeshPrerequisite: the seed's prerequisites as one verdict before a change window (docs/design/prerequisites.md).
/// Reads every cluster, GKE, GKE Hub and organisation policy, and reports one MeshCheck per prerequisite and cluster —
/// judged by the same rules New-Mesh's pre-flight and Test-MeshConnectivity use. Its only write is the short-lived probe
/// pod per cluster that proves reachability from inside the clusters (docs/design/in-cluster-probes.md), hence
/// ShouldProcess with Low impact: -WhatIf creates no pod and those checks are Skipped.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MeshPrerequisite", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MeshCheck), typeof(bool))]
public sealed class TestMeshPrerequisiteCommand : MeshProbeCmdlet, IDynamicParameters
{
    /// <summary>The istiod revision to judge, when a cluster runs several (default: the Revision of the piped object).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Revision { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    /// <summary>
    /// API server addresses the other clusters will use, as for New-Mesh: @{ '&lt;cluster&gt;' = 'https://&lt;address&gt;' }.
    /// A private GKE control plane passes when its address answers from this machine.
    /// </summary>
    [Parameter]
    public Hashtable? ServerOverride { get; set; }

    /// <summary>The east-west gateways will use internal load balancers (Install-EastWestGateway -InternalLoadBalancer).</summary>
    [Parameter]
    public SwitchParameter InternalLoadBalancer { get; set; }

    /// <summary>Leave the probe pods in place afterwards (they stop by themselves after 15 minutes).</summary>
    [Parameter]
    public SwitchParameter KeepWorkload { get; set; }

    /// <summary>Return only $true (no prerequisite failed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Do not call Google APIs (GKE Hub, GKE, organisation policy): those checks are Skipped with the reason.</summary>
    [Parameter]
    public SwitchParameter SkipGoogleCheck { get; set; }

    /// <summary>Seconds allowed for each API server request, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    // -AccessToken, -ResourceManagerEndpoint, -ContainerEndpoint, -GkeHubEndpoint: declared once, in GoogleParameters.
    private readonly GoogleParameters _google = new();

    public object GetDynamicParameters() => _google;

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var targets = Targets.ToArray();
        var options = new Engine.Steps.Check.PrerequisiteOptions
        {
            Kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(RequestTimeoutSec) },
            ThrottleLimit = ThrottleLimit,
            ServerOverride = ToStringMap(ServerOverride),
            InternalLoadBalancer = InternalLoadBalancer,
            Probes = InClusterProbe(KeepWorkload),
            Google = SkipGoogleCheck ? null : _google.ToOptions(),
        };

        IReadOnlyList<MeshCheck> checks;
        try
        {
            checks = RunEngine((sink, token) => Engine.Steps.Check.PrerequisiteChecker.RunAsync(targets, options, sink, token));
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
            return;
        }

        WriteInformation(Engine.Steps.Check.MeshChecker.Summary(checks), ["HybridMesh", "Summary"]);
        if (Quiet)
        {
            WriteObject(Engine.Steps.Check.PrerequisiteChecker.AllPassed(checks));
            return;
        }

        foreach (var check in checks)
        {
            WriteObject(check);
        }
    }
}
