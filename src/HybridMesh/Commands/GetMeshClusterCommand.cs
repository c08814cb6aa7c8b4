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

    protected override void ProcessRecord()
    {
        var query = new Engine.Kube.ClusterQuery
        {
            Kubeconfig = Kubeconfig.Select(ResolvePath).ToArray(),
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

        foreach (var cluster in clusters)
        {
            WriteObject(cluster);
        }
    }
}
