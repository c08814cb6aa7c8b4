using System.Collections;
using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Get-MeshEnvironment: runbook step 2. The fleet project's number (PROJECT_NUMBER), the mesh id (MESH_ID) and a
/// network id per cluster (NETWORK_1..N), as one MeshEnvironment for every cluster piped in.
/// </summary>
/// <remarks>
/// One parameter set on purpose: with separate Cluster and Kubeconfig sets, PowerShell settles the set as soon as
/// FleetProjectId binds by property name (before Kubeconfig/Context, which need type coercion), so a
/// [pscustomobject] with Kubeconfig and Context would silently lose them. Per input, a bound -Cluster wins; else
/// -Kubeconfig/-Context are resolved (a piped MeshCluster also fills those two from its own properties).
/// </remarks>
[Cmdlet(VerbsCommon.Get, "MeshEnvironment")]
[OutputType(typeof(MeshEnvironment))]
public sealed class GetMeshEnvironmentCommand : MeshCmdlet, IDynamicParameters
{
    // Collected across the pipeline; the environment is built once, in EndProcessing.
    private readonly List<MeshCluster> _clusters = [];
    private string? _fleetProjectId;
    private bool _inputNamedNoCluster;

    /// <summary>Id of the fleet host project (not its number).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ProjectId", "FleetProject")]
    public string FleetProjectId { get; set; } = "";

    /// <summary>Clusters from Get-MeshCluster.</summary>
    [Parameter(ValueFromPipeline = true)]
    public MeshCluster[] Cluster { get; set; } = [];

    /// <summary>Catches a piped object that binds to nothing else, for PipelineInputEmpty (see MeshTargetCmdlet).</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Kubeconfig files to find -Context in (default: $env:KUBECONFIG, else ~/.kube/config).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("KubeconfigPath")]
    public string[] Kubeconfig { get; set; } = [];

    /// <summary>Contexts to include (default: every context of the kubeconfig).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
    public string[] Context { get; set; } = [];

    /// <summary>Network id by context or cluster name, e.g. @{ 'onprem' = 'network2' }. Wins over every other source.</summary>
    [Parameter]
    public Hashtable? Network { get; set; }

    /// <summary>Also set $env:PROJECT_NUMBER, $env:MESH_ID, $env:NETWORK_1..N and $env:CTX_1..N for scripts that run the documented commands.</summary>
    [Parameter]
    public SwitchParameter Export { get; set; }

    /// <summary>Seconds reading a cluster's existing network label may take before the computed id is used.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>Deprecated name of -RequestTimeoutSec, accepted for one release with a warning.</summary>
    [Parameter(DontShow = true)]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>Do not read the clusters' existing topology.istio.io/network labels (offline; computed ids only).</summary>
    [Parameter]
    public SwitchParameter SkipClusterLabel { get; set; }

    // -AccessToken, -ResourceManagerEndpoint, -ContainerEndpoint, -GkeHubEndpoint: declared once, in GoogleParameters.
    private readonly GoogleParameters _google = new();

    public object GetDynamicParameters() => _google;

    protected override void ProcessRecord()
    {
        AcceptFleetProjectId(FleetProjectId);
        var clusters = (Cluster ?? []).Where(c => c is not null).ToArray();
        if (clusters.Length > 0)
        {
            _clusters.AddRange(clusters);
            return;
        }

        var contexts = Context;
        if (InputObject?.BaseObject is string piped)
        {
            // A plain string piped in names a context, as in every cluster cmdlet (docs/design/cluster-picking.md).
            contexts = string.IsNullOrWhiteSpace(piped) ? [] : [piped.Trim()];
        }

        // An object carrying only the fleet project still asks for an environment without clusters.
        var carriesProject = InputObject?.Properties.Any(p =>
            p.Name is "FleetProjectId" or "ProjectId" or "FleetProject") == true;
        if (MyInvocation.ExpectingInput && Kubeconfig.Length == 0 && contexts.Length == 0 && !carriesProject)
        {
            // A piped object that names no cluster ($null, an empty object): an error, not an environment without clusters.
            WriteMeshError(Engine.Errors.MeshErrors.PipelineInputEmpty(MeshTargetCmdlet.Describe(InputObject)));
            _inputNamedNoCluster = true;
            return;
        }

        // Nothing names a kubeconfig or context: an environment without clusters (number and mesh id only), rather
        // than every context of ~/.kube/config.
        if (Kubeconfig.Length == 0 && contexts.Length == 0)
        {
            return;
        }

        var query = new Engine.Kube.ClusterQuery
        {
            Kubeconfig = ResolveKubeconfigPaths(Kubeconfig),
            Context = contexts,
        };
        try
        {
            _clusters.AddRange(RunEngine((sink, _) =>
                Task.FromResult(Engine.Kube.ClusterDiscovery.GetClusters(query, sink))));
        }
        catch (MeshException ex)
        {
            // This input's kubeconfig is unusable; the other inputs still count.
            WriteMeshError(ex);
        }
    }

    protected override void EndProcessing()
    {
        // Empty pipeline input (e.g. every upstream cluster failed): ProcessRecord never ran, but a fleet project
        // given on the command line still yields its number and mesh id.
        if ((_fleetProjectId is null && string.IsNullOrEmpty(FleetProjectId)) || (_inputNamedNoCluster && _clusters.Count == 0))
        {
            return;
        }

        var fleetProjectId = _fleetProjectId ?? AcceptFleetProjectId(FleetProjectId);
        var request = new Engine.Steps.Environment.EnvironmentRequest
        {
            FleetProjectId = fleetProjectId,
            Clusters = _clusters,
            Networks = ToStringMap(Network),
            Google = _google.ToOptions(),
        };

        var requestTimeout = RequestTimeout.Seconds(this, RequestTimeoutSec, TimeoutSec);
        MeshEnvironment environment;
        try
        {
            environment = RunEngine((sink, token) => Engine.Steps.Environment.EnvironmentResolver.ResolveAsync(request, sink, token,
                SkipClusterLabel ? null : Engine.Steps.Environment.ClusterNetworkLabel.Reader(TimeSpan.FromSeconds(requestTimeout), sink)));
        }
        catch (MeshException ex)
        {
            // Invalid id or network, no credentials, fleet project unreadable: no environment can be produced.
            ThrowMeshError(ex);
            return;
        }

        if (Export)
        {
            foreach (var (name, value) in Engine.Steps.Environment.EnvironmentExport.Variables(environment,
                         Environment.GetEnvironmentVariable))
            {
                Environment.SetEnvironmentVariable(name, value);
                WriteVerbose(value is null ? $"Removed $env:{name}." : $"Set $env:{name} = {value}");
            }
        }

        WriteObject(environment);
    }

    // One environment per fleet project: every pipeline input must name the same one.
    private string AcceptFleetProjectId(string value)
    {
        if (_fleetProjectId is null)
        {
            if (!Engine.Google.GoogleProjectId.IsValid(value))
            {
                ThrowMeshError(Engine.Errors.MeshErrors.FleetProjectIdInvalid(value));
            }

            _fleetProjectId = value;
        }
        else if (!string.Equals(_fleetProjectId, value, StringComparison.Ordinal))
        {
            ThrowMeshError(Engine.Errors.MeshErrors.FleetProjectIdConflict(_fleetProjectId, value));
        }

        return _fleetProjectId;
    }
}
