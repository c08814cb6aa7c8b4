using System.Management.Automation;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Get-MeshLink: the inventory of a mesh's links from what is live (day 2). One MeshLinkInfo per ordered pair of the
/// given clusters, plus one per stale remote secret; tokens never appear, only their age and a fingerprint. Reads only.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MeshLink")]
[OutputType(typeof(MeshLinkInfo))]
public sealed class GetMeshLinkCommand : MeshTargetCmdlet
{
    /// <summary>Seconds one Kubernetes request may take, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>Deprecated name of -RequestTimeoutSec, accepted for one release with a warning.</summary>
    [Parameter(DontShow = true)]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>
    /// Do not ask istiod (no pods/exec into istiod): SyncStatus stays empty. By default every istiod pod of each target
    /// is asked once for /debug/clusterz; where that is not allowed SyncStatus says why ("Unknown: ...").
    /// </summary>
    [Parameter]
    public SwitchParameter SkipIstiodView { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(RequestTimeout.Seconds(this, RequestTimeoutSec, TimeoutSec)) };
        var request = new Engine.Steps.Links.LinkInventoryRequest
        {
            Targets = Targets,
            ThrottleLimit = ThrottleLimit,
            Kube = kube,
            SyncReader = SkipIstiodView ? null : new Engine.Steps.Links.IstiodLinkSyncReader(kube, cache: true),
        };
        try
        {
            foreach (var link in RunEngine((sink, token) => Engine.Steps.Links.LinkInventory.GetAsync(request, sink, token)))
            {
                WriteObject(link);
            }
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
        }
    }
}
