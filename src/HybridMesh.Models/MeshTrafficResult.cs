namespace HybridMesh.Models;

/// <summary>
/// What the client in one cluster saw when it called helloworld.sample:5000/hello repeatedly
/// (Test-MeshConnectivity -Traffic): the versions it reached, the versions it never reached, and every answer.
/// </summary>
public sealed class MeshTrafficResult
{
    /// <summary>The client's cluster (kubeconfig context).</summary>
    public required string From { get; init; }

    /// <summary>Versions that answered at least once (v1, v2, ...), sorted.</summary>
    public required string[] Reached { get; init; }

    /// <summary>Versions deployed somewhere in the mesh that never answered this client.</summary>
    public required string[] Missing { get; init; }

    /// <summary>Every response line (or curl error) in order, e.g. "Hello version: v2, instance: helloworld-v2-...".</summary>
    public required string[] Responses { get; init; }

    /// <summary>When the client could not be asked at all (pods/exec refused, kubelet unreachable): the step that fixes it; otherwise null.</summary>
    public string? RecommendedAction { get; init; }

    /// <summary>True when every deployed version answered this client.</summary>
    public bool Passed => Missing.Length == 0 && Reached.Length > 0;

    public override string ToString() => $"{From}: reached {string.Join(",", Reached)}";
}
