using System.Management.Automation;

namespace HybridMesh.Internal;

/// <summary>
/// Base of the cmdlets that prove reachability from inside the clusters with short-lived probe pods
/// (Test-MeshConnectivity after linking, Test-MeshPrerequisite before it; docs/design/in-cluster-probes.md): one set
/// of parameters with one meaning for both.
/// </summary>
public abstract class MeshProbeCmdlet : MeshTargetCmdlet
{
    /// <summary>
    /// Do not probe from inside the clusters (one short-lived pod per cluster in istio-system that calls every peer's API
    /// server and east-west gateway): the PodApiServerReach and PodGatewayReach checks are then left out, and a remote
    /// secret's server that this machine cannot reach stays a Warning (docs/design/in-cluster-probes.md).
    /// </summary>
    [Parameter]
    public SwitchParameter SkipInClusterProbe { get; set; }

    /// <summary>Image of the probe pods; it must contain sh and curl 7.55 or later. Use a mirror for clusters without internet access.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ProbeImage { get; set; } = Engine.Steps.Probe.ProbeOptions.DefaultImage;

    /// <summary>How the probe pods run (start timeout: <paramref name="readyTimeout"/>, else the default); null with -SkipInClusterProbe.</summary>
    protected Engine.Steps.Probe.ProbeOptions? InClusterProbe(bool keepWorkload, TimeSpan? readyTimeout = null)
    {
        if (SkipInClusterProbe)
        {
            return null;
        }

        var options = new Engine.Steps.Probe.ProbeOptions { Image = ProbeImage, KeepWorkload = keepWorkload };
        return readyTimeout is { } timeout ? options with { ReadyTimeout = timeout } : options;
    }
}
