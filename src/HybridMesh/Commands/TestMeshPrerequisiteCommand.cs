using System.Collections;
using System.Management.Automation;
using System.Security;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Test-MeshPrerequisite: the seed's prerequisites as one verdict before a change window (docs/design/prerequisites.md).
/// Reads every cluster, GKE, GKE Hub and organisation policy, writes nothing, and reports one MeshCheck per
/// prerequisite and cluster — judged by the same rules New-Mesh's pre-flight and Test-MeshConnectivity use.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MeshPrerequisite")]
[OutputType(typeof(MeshCheck), typeof(bool))]
public sealed class TestMeshPrerequisiteCommand : MeshTargetCmdlet
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

    /// <summary>OAuth2 access token for Google APIs instead of application default credentials.</summary>
    [Parameter]
    public SecureString? AccessToken { get; set; }

    /// <summary>Base URL of Resource Manager (projects and organisation policy).</summary>
    [Parameter]
    public Uri? ResourceManagerEndpoint { get; set; }

    /// <summary>Base URL of the GKE API.</summary>
    [Parameter]
    public Uri? ContainerEndpoint { get; set; }

    /// <summary>Base URL of GKE Hub.</summary>
    [Parameter]
    public Uri? GkeHubEndpoint { get; set; }

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
            Google = SkipGoogleCheck
                ? null
                : new Engine.Google.GoogleApiOptions
                {
                    AccessToken = AccessToken,
                    ResourceManagerEndpoint = ResourceManagerEndpoint,
                    ContainerEndpoint = ContainerEndpoint,
                    GkeHubEndpoint = GkeHubEndpoint,
                },
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
