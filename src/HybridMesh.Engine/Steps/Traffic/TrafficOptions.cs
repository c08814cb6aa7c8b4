using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Steps.Traffic;

/// <summary>The verification workload of docs/design/verification.md and how hard to probe it.</summary>
public sealed record TrafficOptions
{
    public const string DefaultHelloworldImage = "docker.io/istio/examples-helloworld-{0}:1.0";
    public const string DefaultClientImage = "docker.io/curlimages/curl:8.16.0";

    public string Namespace { get; init; } = "sample";

    /// <summary>Image of helloworld; "{0}" becomes the version (v1, v2, ...). Point it at a mirror for offline clusters.</summary>
    public string HelloworldImage { get; init; } = DefaultHelloworldImage;

    /// <summary>Image of the sleep client; it must contain curl.</summary>
    public string ClientImage { get; init; } = DefaultClientImage;

    /// <summary>Calls per client (the troubleshooting page loops 10 times).</summary>
    public int Requests { get; init; } = 10;

    /// <summary>How long the workload may take to become ready.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Leave the namespace and workload in place afterwards.</summary>
    public bool KeepWorkload { get; init; }

    public KubeSessionOptions Kube { get; init; } = new();

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;

    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}
