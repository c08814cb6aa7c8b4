using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>What New-Mesh was asked to do.</summary>
public sealed class MeshRequest
{
    public required IReadOnlyList<MeshTarget> Targets { get; init; }

    /// <summary>The fleet project; null: taken from the targets (an environment carries it).</summary>
    public string? FleetProjectId { get; init; }

    public bool AllowSharedNetwork { get; init; }

    /// <summary>Istio cluster name or context → API server URL to write into remote secrets instead of the kubeconfig's.</summary>
    public IReadOnlyDictionary<string, string> ServerOverride { get; init; } = new Dictionary<string, string>();

    public bool RemoveStale { get; init; }
    public bool SkipRegistration { get; init; }
    public bool SkipFleetCheck { get; init; }

    /// <summary>-ManifestOnly: read, render, write nothing.</summary>
    public bool ManifestOnly { get; init; }

    /// <summary>With <see cref="ManifestOnly"/>: include the remote secrets (they hold tokens).</summary>
    public bool IncludeCredentials { get; init; }

    public int ThrottleLimit { get; init; } = BoundedFanOut.DefaultThrottleLimit;
    public KubeSessionOptions Kube { get; init; } = new();
    public GoogleApiOptions Google { get; init; } = new();

    /// <summary>How long the token controller gets to fill a new token Secret.</summary>
    public TimeSpan TokenWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a fleet registration may take.</summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>New-Mesh's answer: the mesh (null with -ManifestOnly) and, with -ManifestOnly, YAML documents.</summary>
public sealed class MeshResult
{
    public Models.Mesh? Mesh { get; init; }
    public IReadOnlyList<string> Manifests { get; init; } = [];
}
