using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Commands;

/// <summary>
/// Publish-MeshService: runbook step 4. Applies the Istio Gateway cross-network-gateway (expose-services.yaml) to
/// every cluster piped in, in the newest Gateway version the cluster serves. Takes Install-EastWestGateway's output.
/// -ManifestOnly prints the Gateway per cluster instead (or, with -OutputDirectory, writes one file per context).
/// </summary>
[Cmdlet(VerbsData.Publish, "MeshService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[Alias("Publish-MeshServices")]
[OutputType(typeof(MeshServiceExposure), typeof(string), typeof(FileInfo))]
public sealed class PublishMeshServiceCommand : MeshTargetCmdlet
{
    /// <summary>Hosts passed through the east-west gateway (default *.local: every service of the mesh).</summary>
    [Parameter]
    [Alias("Host")]
    public string[] Hosts { get; set; } = ["*.local"];

    /// <summary>Namespace of the east-west gateway (default istio-system).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Namespace { get; set; } = IstioNames.SystemNamespace;

    /// <summary>The revision, passed on to the output for the next step.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    /// <summary>The mesh id, passed on to the output for the next step.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? MeshId { get; set; }

    /// <summary>Take over fields of the Gateway that another tool (kubectl, istioctl) owns.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Print the Gateway each cluster would get, as YAML; change nothing (only the served API versions are read).</summary>
    [Parameter]
    public SwitchParameter ManifestOnly { get; set; }

    /// <summary>With -ManifestOnly: write one YAML file per context into this folder instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    protected override string? InputMeshId => string.IsNullOrEmpty(MeshId) ? null : MeshId;

    protected override void BeginProcessing()
    {
        if (OutputDirectory is not null && !ManifestOnly)
        {
            ThrowMeshError(Engine.Errors.MeshErrors.ManifestOnlyRequired("-OutputDirectory", "-ManifestOnly"));
        }

        base.BeginProcessing();
    }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var options = new CrossNetworkGatewayOptions { Namespace = Namespace, Hosts = Hosts };
        if (ManifestOnly)
        {
            // GitOps: every step is rendered before anything is applied, so the east-west gateway need not exist yet
            // (docs/design/gitops-manifests.md).
            var output = new ManifestOutput(this, OutputDirectory is null ? null : ResolvePath(OutputDirectory));
            foreach (var document in RunEngine((sink, token) => Engine.Steps.Gateway.ServiceExposurePlanner.RenderManyAsync(
                         Targets, options, new Engine.Kube.KubeSessionOptions(), sink, ThrottleLimit, token)))
            {
                output.Write(document.Context, document.Yaml);
            }

            output.Complete();
            return;
        }

        foreach (var exposure in RunEngine((sink, token) => Engine.Steps.Gateway.ServiceExposer.PublishManyAsync(
                     Targets, options, Force, new Engine.Kube.KubeSessionOptions(), sink, ThrottleLimit, token)))
        {
            WriteObject(exposure);
        }
    }
}
