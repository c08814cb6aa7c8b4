using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>Errors of Test-MeshConnectivity (failed checks are MeshCheck results, not errors).</summary>
internal static partial class MeshErrors
{
    public static MeshException TrafficWorkloadNotReady(string context, string ns, TimeSpan timeout) => new(
        "TrafficWorkloadNotReady", MeshErrorCategory.OperationTimeout, context,
        $"The verification workload in namespace '{ns}' of context '{context}' was not ready after {timeout.TotalSeconds:0} s.",
        $"See why its pods do not start (kubectl -n {ns} get pods; image pulls need -HelloworldImage/-ClientImage pointing at a " +
        "reachable mirror), or allow more time with -TimeoutSec.");
}
