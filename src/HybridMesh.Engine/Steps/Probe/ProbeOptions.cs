using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Probe;

/// <summary>How Test-MeshConnectivity runs its in-cluster probes (docs/design/in-cluster-probes.md).</summary>
public sealed record ProbeOptions
{
    /// <summary>curlimages/curl: small, has curl, sh, sed, base64 and mktemp (busybox), runs as a non-root user.</summary>
    public const string DefaultImage = Traffic.TrafficOptions.DefaultClientImage;

    /// <summary>Image of the probe pod; it must contain sh and curl. Point it at a mirror for clusters without internet access.</summary>
    public string Image { get; init; } = DefaultImage;

    /// <summary>Where the probe pod runs: istio-system, because the remote secrets it mounts live there.</summary>
    public string Namespace { get; init; } = IstioNames.SystemNamespace;

    /// <summary>Leave the probe pods in place afterwards.</summary>
    public bool KeepWorkload { get; init; }

    /// <summary>How long a probe pod may take to start (image pull included).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>curl's connect and total timeout for each step inside the pod.</summary>
    public int StepTimeoutSeconds { get; init; } = 5;

    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
