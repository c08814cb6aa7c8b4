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

    /// <summary>
    /// Before linking (Test-MeshPrerequisite): no remote secret exists yet, so each peer's pods call the address they
    /// would be given, keyed by context. Null: call the server of each remote secret (Test-MeshConnectivity).
    /// </summary>
    internal IReadOnlyDictionary<string, UnlinkedPeer>? Unlinked { get; init; }
}

/// <summary>
/// What a peer's pods would be given for a cluster before New-Mesh: the -ServerOverride address, else the
/// kubeconfig's server, and the cluster CA (kube-root-ca.crt, what a reader token Secret's ca.crt holds), or null.
/// </summary>
internal sealed record UnlinkedPeer(string Server, string? CaPem);
