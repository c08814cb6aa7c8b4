using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>One rendered document and the kubeconfig context of the cluster it is for.</summary>
public sealed record ManifestDocument(string Context, string Yaml);

/// <summary>
/// Publish-MeshService -ManifestOnly: the cross-network Gateway each cluster would get, in the newest
/// networking.istio.io version it serves (one discovery read per cluster, no write). The east-west gateway need not
/// exist yet: GitOps renders every step before anything is applied (docs/design/gitops-manifests.md).
/// </summary>
public static class ServiceExposurePlanner
{
    public static async Task<IReadOnlyList<ManifestDocument>> RenderManyAsync(IReadOnlyList<MeshTarget> targets,
        CrossNetworkGatewayOptions options, KubeSessionOptions sessionOptions, IMeshSink sink, int throttleLimit,
        CancellationToken cancellationToken = default)
    {
        var withSink = sessionOptions with { Sink = sessionOptions.Sink ?? sink };
        var results = await BoundedFanOut.RunAsync(targets, throttleLimit, sink, ServiceExposer.ActivityId,
            "Rendering cross-network Gateways", t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, withSink);
                var served = await session.ServedVersionsAsync(CrossNetworkGatewayRenderer.ApiGroup, token).ConfigureAwait(false);
                var desired = CrossNetworkGatewayRenderer.Render(options, served, session.Context);
                return new ManifestDocument(target.Context, $"# Context: {target.Context}\n" + ManifestYaml.Serialize(desired));
            },
            cancellationToken).ConfigureAwait(false);
        return results.OfType<ManifestDocument>().ToArray();
    }
}
