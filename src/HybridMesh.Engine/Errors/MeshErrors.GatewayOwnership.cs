using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>
/// Errors of the plan-then-write rule of the gateway steps (docs/design/gateway-ownership.md): objects of the
/// names the module would write exist and belong to another installer, or the pipeline gave nothing to act on.
/// </summary>
internal static partial class MeshErrors
{
    /// <summary><paramref name="objects"/>: "Kind ns/name (owner)" for every object another installer made.</summary>
    public static MeshException ObjectOwnedByOther(string context, IReadOnlyList<string> objects) => new(
        "ObjectOwnedByOther", MeshErrorCategory.ResourceExists, context,
        $"Context '{context}': {objects.Count} object(s) the command would write already exist and were not " +
        $"created by HybridMesh: {string.Join(", ", objects)}. Nothing was changed in this cluster.",
        "Leave them to the tool that installed them (istioctl, Helm), or re-run with -Force to take them over " +
        "(add -WhatIf first to see the plan); objects taken over stay in place on Uninstall-EastWestGateway and " +
        "Unpublish-MeshService.");

    public static MeshException PipelineInputEmpty(string what) => new(
        "PipelineInputEmpty", MeshErrorCategory.InvalidArgument, what,
        $"The pipeline passed {what}, which names no cluster: it is neither a MeshEnvironment nor a MeshCluster, " +
        "and has no Kubeconfig/Context, Cluster or Clusters property.",
        "Pipe the output of Get-MeshCluster or Get-MeshEnvironment, or pass -Context (and -Kubeconfig); check " +
        "that the variable you pipe is not empty.");
}
