using System.Collections;
using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Commands;

/// <summary>
/// Install-EastWestGateway: runbook step 3 without istioctl. Applies the east-west gateway objects (docs/design/gateway-objects.md) to
/// every cluster piped in, labels istio-system with the network when it has no label, and waits for the gateway's
/// load-balancer address. -ManifestOnly and -AsIstioOperator only print YAML (or, with -OutputDirectory, write one file per context).
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "EastWestGateway", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EastWestGateway), typeof(string), typeof(FileInfo))]
public sealed class InstallEastWestGatewayCommand : MeshTargetCmdlet
{
    /// <summary>Control-plane revision whose injector configures the gateway (e.g. asm-1282-4); default: the one installed.</summary>
    /// <remarks>
    /// Checked by the renderer (HybridMesh.RevisionInvalid names the fix), not by ValidatePattern: a piped object
    /// whose Revision is null (an unrevisioned control plane) must still bind.
    /// </remarks>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    /// <summary>Mesh id recorded as a label on the gateway objects (proj-NUMBER); an environment carries its own.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? MeshId { get; set; }

    /// <summary>Kubernetes Service type of the gateway (default LoadBalancer).</summary>
    [Parameter]
    public GatewayServiceType ServiceType { get; set; } = GatewayServiceType.LoadBalancer;

    /// <summary>Ask GKE for an internal (VPC) load balancer instead of an external one.</summary>
    [Parameter]
    public SwitchParameter InternalLoadBalancer { get; set; }

    /// <summary>A fixed load-balancer address (spec.loadBalancerIP) from the provider's pool.</summary>
    [Parameter]
    public string? LoadBalancerIP { get; set; }

    /// <summary>Addresses routed to the nodes (spec.externalIPs), for clusters without a load balancer.</summary>
    [Parameter]
    public string[] ExternalIP { get; set; } = [];

    /// <summary>Extra annotations for the gateway Service, e.g. @{ 'metallb.universe.tf/address-pool' = 'mesh' }.</summary>
    [Parameter]
    public Hashtable? ServiceAnnotation { get; set; }

    /// <summary>Lower bound of the gateway's HorizontalPodAutoscaler (default 1).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int MinReplicas { get; set; } = 1;

    /// <summary>Upper bound of the gateway's HorizontalPodAutoscaler (default 5).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int MaxReplicas { get; set; } = 5;

    /// <summary>Also create a PodDisruptionBudget (minAvailable 1).</summary>
    [Parameter]
    public SwitchParameter PodDisruptionBudget { get; set; }

    /// <summary>Secrets in istio-system for pulling the proxy image from a private registry.</summary>
    [Parameter]
    public string[] ImagePullSecret { get; set; } = [];

    /// <summary>Relabel a differently labelled istio-system, take over fields other tools own, recreate the Deployment on a network change.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return once the objects are applied, without waiting for the load-balancer address.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How long to wait for the load-balancer address (default 300 s).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>Print the YAML that would be applied, per cluster; change nothing.</summary>
    [Parameter]
    public SwitchParameter ManifestOnly { get; set; }

    /// <summary>Print the IstioOperator for istioctl install (as gen-eastwest-gateway.sh --network --revision); change nothing.</summary>
    [Parameter]
    public SwitchParameter AsIstioOperator { get; set; }

    /// <summary>With -ManifestOnly or -AsIstioOperator: write one YAML file per context into this folder instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    protected override string? InputMeshId => string.IsNullOrEmpty(MeshId) ? null : MeshId;

    protected override void BeginProcessing()
    {
        // Two outputs asked for at once is refused, never resolved silently (docs/design/gitops-manifests.md).
        if (ManifestOnly && AsIstioOperator)
        {
            ThrowMeshError(Engine.Errors.MeshErrors.ConflictingParameters("-ManifestOnly", "-AsIstioOperator",
                "Give -ManifestOnly for the Kubernetes objects HybridMesh applies (kubectl apply, GitOps), or -AsIstioOperator " +
                "for the IstioOperator that istioctl install -f takes; run the command twice for both."));
        }

        if (OutputDirectory is not null && !ManifestOnly && !AsIstioOperator)
        {
            ThrowMeshError(Engine.Errors.MeshErrors.ManifestOnlyRequired("-OutputDirectory", "-ManifestOnly (or -AsIstioOperator)"));
        }

        base.BeginProcessing();
    }

    // -ManifestOnly/-AsIstioOperator with -Network and no cluster is the offline render (Example 4), even with
    // $env:KUBECONFIG set (docs/design/cluster-picking.md).
    protected override bool NothingNamedMeansKubeconfigVariable =>
        !((ManifestOnly || AsIstioOperator) && !string.IsNullOrEmpty(Network));

    protected override void EndProcessing()
    {
        var request = BuildRequest();
        if (ManifestOnly || AsIstioOperator)
        {
            WriteManifests(request);
            return;
        }

        if (!RequireTargets())
        {
            return;
        }

        var sessionOptions = new Engine.Kube.KubeSessionOptions();
        foreach (var gateway in RunEngine((sink, token) => Engine.Steps.Gateway.GatewayInstaller.InstallManyAsync(
                     Targets, request, sessionOptions, sink, ThrottleLimit, token)))
        {
            WriteObject(gateway);
        }
    }

    private Engine.Steps.Gateway.GatewayInstallRequest BuildRequest() => new()
    {
        Gateway = new EastWestGatewayOptions
        {
            ServiceType = ServiceType,
            InternalLoadBalancer = InternalLoadBalancer,
            LoadBalancerIP = LoadBalancerIP,
            ExternalIPs = ExternalIP,
            ServiceAnnotations = ToStringMap(ServiceAnnotation),
            MinReplicas = MinReplicas,
            MaxReplicas = MaxReplicas,
            IncludePodDisruptionBudget = PodDisruptionBudget,
            ImagePullSecrets = ImagePullSecret,
        },
        Force = Force,
        NoWait = NoWait,
        AddressTimeout = TimeSpan.FromSeconds(TimeoutSec),
    };

    // YAML only: no cluster writes. With -Network and -Revision nothing is read either.
    private void WriteManifests(Engine.Steps.Gateway.GatewayInstallRequest request)
    {
        var output = new ManifestOutput(this, OutputDirectory is null ? null : ResolvePath(OutputDirectory));
        if (Targets.Count == 0 && !MyInvocation.ExpectingInput && !string.IsNullOrEmpty(Network))
        {
            try
            {
                // No cluster: the file, if any, is named after the network.
                output.Write("", Render(request.Gateway with { Network = Network, Revision = Revision, MeshId = MeshId }), Network);
                output.Complete();
            }
            catch (MeshException error)
            {
                ThrowMeshError(error);
            }

            return;
        }

        if (!RequireTargets())
        {
            return;
        }

        var sessionOptions = new Engine.Kube.KubeSessionOptions();
        foreach (var target in Targets)
        {
            try
            {
                var options = RunEngine((sink, token) =>
                    Engine.Steps.Gateway.GatewayInstaller.PlanOptionsAsync(target, request, sessionOptions, sink, token));
                output.Write(target.Context, $"# Context: {target.Context}\n" + Render(options));
            }
            catch (MeshException error)
            {
                WriteMeshError(error);
            }
        }

        output.Complete();
    }

    // Throws MeshException for invalid options: terminating offline, that cluster's error otherwise.
    private string Render(EastWestGatewayOptions options) => AsIstioOperator
        ? Engine.Manifests.ManifestYaml.Serialize(Engine.Manifests.IstioOperatorRenderer.Render(options))
        : Engine.Manifests.ManifestYaml.Serialize(Engine.Manifests.EastWestGatewayRenderer.Render(options));
}
