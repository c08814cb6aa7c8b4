using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Models;
using HybridMesh.Engine;

namespace HybridMesh.Internal;

/// <summary>
/// Base of the cmdlets that act on clusters of the mesh (install, publish, link, test, and their teardowns).
/// Input binds three ways, all in one parameter set (two sets made PowerShell pick a set from the first property it
/// matched and silently drop the others):
/// <list type="bullet">
/// <item>a MeshEnvironment by value: every cluster with its network, fleet project and mesh id;</item>
/// <item>a MeshCluster by value, or by the property name Cluster (ClusterNetwork, EastWestGateway, ...);</item>
/// <item>any object with Kubeconfig and Context properties (plus optional Network, FleetProjectId, MeshId,
///   Revision): a CSV row, ConvertFrom-Json output or a Pester mock.</item>
/// </list>
/// Targets are collected across the pipeline; derived cmdlets act on <see cref="Targets"/> in EndProcessing, so
/// clusters are handled concurrently and pair-wise steps see all of them.
/// </summary>
public abstract class MeshTargetCmdlet : MeshCmdlet
{
    private readonly List<MeshTarget> _targets = [];

    /// <summary>An environment from Get-MeshEnvironment: acts on each of its clusters.</summary>
    [Parameter(ValueFromPipeline = true)]
    public MeshEnvironment? Environment { get; set; }

    /// <summary>Clusters from Get-MeshCluster (or an object's Cluster or Clusters property, e.g. a Mesh).</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Clusters")]
    public MeshCluster[] Cluster { get; set; } = [];

    /// <summary>Kubeconfig files to read contexts from (default: $env:KUBECONFIG, else ~/.kube/config).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("KubeconfigPath")]
    public string[] Kubeconfig { get; set; } = [];

    /// <summary>Kubeconfig contexts of the clusters to act on.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
    public string[] Context { get; set; } = [];

    /// <summary>The network id of the cluster(s) given by -Context/-Cluster (an environment carries its own).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Network { get; set; }

    /// <summary>The fleet host project id, when the step needs it and the input does not carry it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ProjectId")]
    public string? FleetProjectId { get; set; }

    /// <summary>How many clusters (or links) are worked on at once; New-Mesh wires every target at once, with at most this
    /// many writes in flight to any one API server (docs/design/scale.md). Up to 1024, so a 250-cluster fleet fits.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = Engine.Steps.BoundedFanOut.DefaultThrottleLimit;

    /// <summary>
    /// Catches a piped object that binds to nothing else ($null, an empty object, a hashtable without the
    /// properties), so it becomes PipelineInputEmpty instead of PowerShell's InputObjectNotBound or a crash.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Every target collected so far, once per context (the first occurrence wins).</summary>
    protected IReadOnlyList<MeshTarget> Targets => _targets;

    /// <summary>The Revision property of the current pipeline object, when derived cmdlets bind one.</summary>
    protected virtual string? InputRevision => null;

    /// <summary>
    /// Whether a command line that names no cluster means every context of a set $env:KUBECONFIG. False where it
    /// already means something else (Install-EastWestGateway's offline manifest).
    /// </summary>
    protected virtual bool NothingNamedMeansKubeconfigVariable => true;

    /// <summary>The MeshId property of the current pipeline object, when derived cmdlets bind one.</summary>
    protected virtual string? InputMeshId => null;

    // -Context from the command line (not from a piped object's property) and whether any input was an environment
    // or cluster object: then -Context selects among those clusters instead of being ignored.
    private string[] _contextFilter = [];
    private bool _objectInput;
    private bool _reportedNoClusters;

    /// <summary>
    /// The piped object itself names kubeconfig files (a Kubeconfig property): then it stands for every context of
    /// them. -Kubeconfig on the command line alone does not make an unrelated piped object meaningful.
    /// </summary>
    private static bool NamesKubeconfig(PSObject? input) =>
        input?.BaseObject is not string &&
        (input?.Properties["Kubeconfig"] ?? input?.Properties["KubeconfigPath"])?.Value is { } value &&
        LanguagePrimitives.IsTrue(value);

    /// <summary>$env:KUBECONFIG is set and names at least one existing file.</summary>
    private static bool KubeconfigVariableNamesFiles() =>
        (System.Environment.GetEnvironmentVariable("KUBECONFIG") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Any(File.Exists);

    protected override void BeginProcessing()
    {
        // Only command-line parameters are bound before the first record.
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Context)))
        {
            _contextFilter = Context;
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        var clusters = (Cluster ?? []).Where(c => c is not null).ToArray();
        var contexts = Context;
        if (InputObject?.BaseObject is string piped && Environment is null && clusters.Length == 0)
        {
            // A plain string piped in names a context ('admin@cluster2' | Install-EastWestGateway); a blank one
            // names nothing and is reported below (docs/design/cluster-picking.md).
            contexts = string.IsNullOrWhiteSpace(piped) ? [] : [piped.Trim()];
        }

        if (MyInvocation.ExpectingInput && Environment is null && clusters.Length == 0 && contexts.Length == 0 &&
            !NamesKubeconfig(InputObject))
        {
            // Checked before anything else: nothing in this input names a cluster, and it must not crash later.
            WriteMeshError(Engine.Errors.MeshErrors.PipelineInputEmpty(Describe(InputObject)));
            return;
        }

        if (Environment is not null || clusters.Length > 0)
        {
            _objectInput = true;
        }

        if (Environment is { } environment)
        {
            foreach (var cluster in environment.Clusters)
            {
                Add(new MeshTarget(cluster.Cluster)
                {
                    Network = cluster.Network,
                    FleetProjectId = environment.FleetProjectId,
                    MeshId = environment.MeshId,
                    Revision = InputRevision,
                });
            }

            return;
        }

        if (clusters.Length > 0)
        {
            foreach (var cluster in clusters)
            {
                Add(FromInput(cluster));
            }

            return;
        }

        // -Kubeconfig without -Context means every context of those files, as in Get-MeshCluster and asmcli
        // create-mesh; with neither, only an explicitly set $env:KUBECONFIG counts (docs/design/cluster-picking.md).
        string[] files;
        if (contexts.Length > 0 || Kubeconfig.Length > 0)
        {
            files = ResolveKubeconfigPaths(Kubeconfig);
        }
        else if (!MyInvocation.ExpectingInput && NothingNamedMeansKubeconfigVariable && KubeconfigVariableNamesFiles())
        {
            files = [];
        }
        else
        {
            return;
        }

        var query = new Engine.Kube.ClusterQuery { Kubeconfig = files, Context = contexts };
        try
        {
            var found = RunEngine((sink, _) => Task.FromResult(Engine.Kube.ClusterDiscovery.GetClusters(query, sink)));
            foreach (var cluster in found)
            {
                Add(FromInput(cluster));
            }

            if (found.Count == 0 && contexts.Length == 0)
            {
                // Files without a single context: this input names no cluster; the other inputs still count.
                WriteMeshError(Engine.Errors.MeshErrors.NoClustersInKubeconfig(files.Length > 0
                    ? files
                    : [System.Environment.GetEnvironmentVariable("KUBECONFIG") ?? ""]));
                _reportedNoClusters = true;
            }
        }
        catch (MeshException ex)
        {
            // This input's kubeconfig is unusable; the other inputs still count.
            WriteMeshError(ex);
        }
    }

    /// <summary>
    /// Nothing to act on: no pipeline input, no -Context, -Kubeconfig or -Cluster, no $env:KUBECONFIG. Reported as
    /// NoClusters (non-terminating, like every per-input failure; the caller's -ErrorAction decides) and false.
    /// Derived cmdlets call it at the start of EndProcessing when they need at least one cluster.
    /// </summary>
    protected bool RequireTargets()
    {
        ApplyContextFilter();
        if (_targets.Count > 0)
        {
            return true;
        }

        if (!MyInvocation.ExpectingInput && !_reportedNoClusters)
        {
            // Non-terminating like every per-input failure (the caller's -ErrorAction decides); nothing else runs.
            WriteMeshError(Engine.Errors.MeshErrors.NoClusters());
        }

        // Piped input that produced no cluster has already reported its own errors.
        return false;
    }

    /// <summary>
    /// -Context with an environment or cluster objects keeps only the clusters it names (context, Istio cluster name
    /// when known, or short name; docs/design/cluster-names.md). A name that fits none is terminating, before any write.
    /// </summary>
    private void ApplyContextFilter()
    {
        if (_contextFilter.Length == 0 || !_objectInput)
        {
            return;
        }

        var resolver = new Engine.Steps.ClusterNameResolver(_targets.Select(t =>
            new Engine.Steps.ClusterNames(t.Context, t.Cluster.Details?.IstioClusterName, t.Cluster.Name)));
        IReadOnlyList<int> keep;
        try
        {
            keep = resolver.ResolveAll("-Context", _contextFilter);
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
            return;
        }

        var selected = keep.Order().Select(i => _targets[i]).ToArray();
        _targets.Clear();
        _targets.AddRange(selected);
        _contextFilter = [];
    }

    internal static string Describe(PSObject? input) => input?.BaseObject switch
    {
        null => "$null",
        System.Collections.IDictionary { Count: 0 } => "an empty hashtable",
        System.Collections.IDictionary => "a hashtable (hashtables do not bind by key; cast it to [pscustomobject])",
        PSCustomObject when input.Properties.Any() =>
            "an object with only the properties " + string.Join(", ", input.Properties.Select(p => p.Name).Take(10)),
        PSCustomObject => "an empty object",
        var other => "an object of type " + other.GetType().FullName,
    };

    private MeshTarget FromInput(MeshCluster cluster) => new(cluster)
    {
        Network = string.IsNullOrEmpty(Network) ? null : Network,
        FleetProjectId = string.IsNullOrEmpty(FleetProjectId) ? null : FleetProjectId,
        MeshId = InputMeshId,
        Revision = InputRevision,
    };

    private void Add(MeshTarget target)
    {
        if (_targets.Any(t => t.Context == target.Context &&
                              t.Cluster.Kubeconfig.SequenceEqual(target.Cluster.Kubeconfig, StringComparer.Ordinal)))
        {
            WriteVerbose($"Context '{target.Context}' was given more than once; it is acted on once.");
            return;
        }

        _targets.Add(target);
    }
}
