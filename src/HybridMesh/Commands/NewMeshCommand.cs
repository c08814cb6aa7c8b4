using System.Collections;
using System.Management.Automation;
using System.Security;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// New-Mesh: runbook step 5, endpoint discovery across every pair of clusters (replaces asmcli create-mesh).
/// Checks every cluster first (reachable, Istio installed, distinct Istio cluster names and networks, one shared
/// root, fleet membership), then writes in every target T a remote secret for every other cluster S and proves it.
/// </summary>
[Cmdlet(VerbsCommon.New, "Mesh", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Mesh), typeof(string))]
public sealed class NewMeshCommand : MeshTargetCmdlet
{
    /// <summary>
    /// The istiod revision whose CLUSTER_ID names each cluster, when a cluster runs several with different ones
    /// (docs/design/rules.md); default: the Revision of the piped object, else the one CLUSTER_ID all istiods share.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Revision { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    /// <summary>Allow several clusters on one network (only when their pods really reach each other directly).</summary>
    [Parameter]
    public SwitchParameter AllowSharedNetwork { get; set; }

    /// <summary>Istio cluster name (or context) → API server URL istiod elsewhere should use, for private or on-prem endpoints.</summary>
    [Parameter]
    public Hashtable? ServerOverride { get; set; }

    /// <summary>Delete remote secrets that serve a mesh cluster under another name (for example asmcli's context-based names).</summary>
    [Parameter]
    public SwitchParameter RemoveStale { get; set; }

    /// <summary>Verify fleet membership only; never register an unregistered GKE cluster.</summary>
    [Parameter]
    public SwitchParameter SkipRegistration { get; set; }

    /// <summary>Skip the fleet membership check (no Google API call), for users without fleet API access.</summary>
    [Parameter]
    public SwitchParameter SkipFleetCheck { get; set; }

    /// <summary>Emit the YAML that would be applied instead of applying it; nothing is written.</summary>
    [Parameter]
    public SwitchParameter ManifestOnly { get; set; }

    /// <summary>With -ManifestOnly: include the remote secrets, which contain service-account tokens.</summary>
    [Parameter]
    public SwitchParameter IncludeCredentials { get; set; }

    /// <summary>Seconds one Kubernetes request may take, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    /// <summary>OAuth2 access token for Google APIs instead of application default credentials.</summary>
    [Parameter]
    public SecureString? AccessToken { get; set; }

    [Parameter]
    public Uri? ResourceManagerEndpoint { get; set; }

    [Parameter]
    public Uri? ContainerEndpoint { get; set; }

    [Parameter]
    public Uri? GkeHubEndpoint { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var overrides = ToStringMap(ServerOverride);

        // -WhatIf declines every write through ShouldProcess; the engine also needs to know so it skips the link proof (a POST).
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? ((SwitchParameter)value).IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        var request = new Engine.Steps.Mesh.MeshRequest
        {
            Targets = Targets,
            FleetProjectId = string.IsNullOrEmpty(FleetProjectId) ? null : FleetProjectId,
            AllowSharedNetwork = AllowSharedNetwork,
            ServerOverride = overrides,
            RemoveStale = RemoveStale,
            SkipRegistration = SkipRegistration,
            SkipFleetCheck = SkipFleetCheck,
            ManifestOnly = ManifestOnly,
            IncludeCredentials = IncludeCredentials,
            WhatIf = whatIf,
            ThrottleLimit = ThrottleLimit,
            Kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec) },
            Google = new Engine.Google.GoogleApiOptions
            {
                AccessToken = AccessToken,
                ResourceManagerEndpoint = ResourceManagerEndpoint,
                ContainerEndpoint = ContainerEndpoint,
                GkeHubEndpoint = GkeHubEndpoint,
            },
        };

        Engine.Steps.Mesh.MeshResult result;
        try
        {
            result = RunEngine((sink, token) => Engine.Steps.Mesh.MeshBuilder.NewMeshAsync(request, sink, token));
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
            return;
        }

        if (ManifestOnly)
        {
            foreach (var document in result.Manifests)
            {
                WriteObject(document);
            }

            return;
        }

        WriteObject(result.Mesh);
    }
}
