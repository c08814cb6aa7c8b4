using System.Globalization;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// New-Mesh -RestartIstiod: what `kubectl rollout restart` does to every istiod Deployment of the mesh revision — a
/// kubectl.kubernetes.io/restartedAt annotation on the pod template, so that new istiod pods read every remote secret
/// afresh (docs/design/istiod-view.md: a stale istiod keeps an old snapshot until it restarts).
/// </summary>
public static class IstiodRestarter
{
    public const string Annotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>The istiod Deployments a restart would touch, by name.</summary>
    public static async Task<IReadOnlyList<string>> DeploymentsAsync(MeshTarget target, KubeSessionOptions kube, CancellationToken ct)
    {
        using var session = KubeSession.Open(target.Cluster, kube);
        var selector = "app=istiod" + (string.IsNullOrEmpty(target.Revision) ? "" : ",istio.io/rev=" + target.Revision);
        var list = await session.ListAsync("apps/v1", "Deployment", IstioNames.SystemNamespace, selector, ct).ConfigureAwait(false);
        return list.Select(d => (string?)d["metadata"]?["name"]).OfType<string>().Order(StringComparer.Ordinal).ToArray();
    }

    public static async Task RestartAsync(MeshTarget target, string deployment, KubeSessionOptions kube, CancellationToken ct)
    {
        using var session = KubeSession.Open(target.Cluster, kube);
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject
                        {
                            [Annotation] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
                        },
                    },
                },
            },
        };
        await session.MergePatchAsync("apps/v1", "Deployment", IstioNames.SystemNamespace, deployment, patch, cancellationToken: ct).ConfigureAwait(false);
    }
}
