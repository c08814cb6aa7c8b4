using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Get-MeshCluster: the kubeconfig contexts that can take part in the mesh, one MeshCluster each.
/// Reads kubeconfig files only (merged as kubectl merges them) and never writes one.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MeshCluster")]
[OutputType(typeof(MeshCluster))]
public sealed class GetMeshClusterCommand : MeshCmdlet
{
    /// <summary>Kubeconfig files, merged in order (first definition wins). Default: $env:KUBECONFIG, else ~/.kube/config.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("KubeconfigPath")]
    public string[] Kubeconfig { get; set; } = [];

    /// <summary>Contexts to return. Default: every context in the merged kubeconfig.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
    [Alias("Name")]
    public string[] Context { get; set; } = [];

    /// <summary>Overrides the detected platform for every returned cluster.</summary>
    [Parameter]
    public ClusterPlatform? Platform { get; set; }

    /// <summary>Also read live facts from each API server (version, Istio revisions, network label, root CAs).</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <summary>Seconds one API server request may take with -Detailed, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>Deprecated name of -RequestTimeoutSec, accepted for one release with a warning.</summary>
    [Parameter(DontShow = true)]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    protected override void ProcessRecord()
    {
        var query = new Engine.Kube.ClusterQuery
        {
            Kubeconfig = ResolveKubeconfigPaths(Kubeconfig),
            Context = Context,
            Platform = Platform,
        };

        IReadOnlyList<MeshCluster> clusters;
        try
        {
            clusters = RunEngine((sink, _) => Task.FromResult(Engine.Kube.ClusterDiscovery.GetClusters(query, sink)));
        }
        catch (MeshException ex)
        {
            // Without a readable kubeconfig there is nothing to list for this input.
            WriteMeshError(ex);
            return;
        }

        if (Detailed.IsPresent && clusters.Count > 0)
        {
            // Unreachable clusters are reported one by one (HybridMesh.ApiServerUnreachable, target = context) and
            // left out; the reachable ones come back with Details filled.
            var options = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(RequestTimeout.Seconds(this, RequestTimeoutSec, TimeoutSec)) };
            var listed = clusters;
            clusters = RunEngine((sink, token) =>
                Engine.Steps.ClusterInspector.InspectManyAsync(listed, options, sink, cancellationToken: token));
        }

        foreach (var cluster in clusters)
        {
            WriteObject(Detailed.IsPresent ? WithDetailedView(cluster) : cluster);
        }
    }

    // -Detailed output shows the live facts by default: the extra type name selects the "Detailed" table view
    // (module/Formats/MeshCluster.Format.ps1xml); the object stays a MeshCluster for binding and type checks.
    private static PSObject WithDetailedView(MeshCluster cluster)
    {
        var wrapped = PSObject.AsPSObject(cluster);
        wrapped.TypeNames.Insert(0, "HybridMesh.Models.MeshCluster#Detailed");
        return wrapped;
    }
}
