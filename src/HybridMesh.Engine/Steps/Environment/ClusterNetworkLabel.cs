using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>
/// Reads the network a cluster already declares: the topology.istio.io/network label of its istio-system namespace
/// (docs/design/gateway-objects.md). asmcli sets it at install and never overwrites it, and istiod routes by it, so it beats any computed id.
/// </summary>
internal static class ClusterNetworkLabel
{
    public const string LabelKey = IstioNames.NetworkLabel;

    /// <summary>A <see cref="NetworkLabelReader"/> that asks each cluster's API server within <paramref name="timeout"/>.</summary>
    public static NetworkLabelReader Reader(TimeSpan timeout, IMeshSink sink) => async (cluster, cancellationToken) =>
    {
        using var session = KubeSession.Open(cluster, new KubeSessionOptions { Timeout = timeout, Sink = sink });
        var ns = await session.GetAsync("v1", "Namespace", null, IstioNames.SystemNamespace, cancellationToken)
            .ConfigureAwait(false);
        return ns?["metadata"]?["labels"]?[LabelKey]?.GetValue<string>();
    };
}
