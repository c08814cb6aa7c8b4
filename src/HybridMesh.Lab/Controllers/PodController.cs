using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// Scheduler and kubelet for Pods created directly (not by the lab's Deployment controller, whose Pods are born
/// Running): a new Pod is bound to lab-node-1 and, shortly after, either Running and Ready with one running status
/// per container, or - when one of its images cannot be pulled (<see cref="ClusterRuntime.UnpullableImages"/>) -
/// still Pending with that container waiting in ErrImagePull, as a real kubelet reports (docs/design/in-cluster-probes.md).
/// </summary>
internal sealed class PodController(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    private int _podIp = 100;

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource != "pods" || e.Type != StoreEventType.Added || e.New is null) return;
        if (e.New["metadata"]?["annotations"]?["lab.hybridmesh.io/deployment"] is not null) return;
        if (!string.IsNullOrEmpty((string?)e.New["spec"]?["nodeName"])) return;
        var ns = Ns(e.New)!;
        var name = Name(e.New);
        After(Rt.PodStartDelay, () => Start(ns, name));
    }

    private void Start(string ns, string name)
    {
        Update("pods", ns, name, pod =>
        {
            if (pod["metadata"]?["deletionTimestamp"] is not null || !string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"])) return false;
            pod["spec"]!["nodeName"] = PodStatus.Node;
            var now = Rt.Now();
            var statuses = new JsonArray();
            foreach (var c in (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var image = (string?)c["image"] ?? "";
                statuses.Add(Rt.UnpullableImages.ContainsKey(image)
                    ? PodStatus.Waiting(c, "ErrImagePull",
                        $"failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": dial tcp: lookup registry: i/o timeout")
                    : PodStatus.Running(c, now));
            }

            pod["status"] = PodStatus.Build(statuses, PodStatus.NextIp("10.245", ref _podIp), now);
            return true;
        }, subresource: "status", manager: "kubelet");
    }
}
