using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>What Install-MeshCertificate was asked to do, for every cluster.</summary>
public sealed record CertificateInstallRequest(MeshCertificateAuthority Authority)
{
    public const int DefaultRenewWithinDays = 30;

    /// <summary>Replace a cacerts Secret chained to another root, and take over fields other managers own.</summary>
    public bool Force { get; init; }

    public bool RestartIstiod { get; init; }

    /// <summary>How long the istiod rollout and the served-root verification may take, per cluster.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>An intermediate that expires within this time (or is expired) is reissued.</summary>
    public TimeSpan RenewWithin { get; init; } = TimeSpan.FromDays(DefaultRenewWithinDays);

    /// <summary>Validity of newly issued intermediates, in years (Istio's Makefile: 2).</summary>
    public int IntermediateYears { get; init; } = IntermediateIssuer.DefaultYears;

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;

    public KubeSessionOptions Kube { get; init; } = new();
}
