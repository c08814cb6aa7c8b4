using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// Scheduler and kubelet for Pods created directly (not by the lab's Deployment controller, whose Pods are born
/// Running): a new Pod is bound to lab-node-1 and, shortly after, either Running and Ready with one running status
/// per container, or - when one of its images cannot be pulled (<see cref="ClusterRuntime.UnpullableImages"/>) -
/// still Pending with that container waiting in ErrImagePull, as a real kubelet reports (docs/design/in-cluster-probes.md).
/// A Pod whose nodeSelector the lab's one node does not match is never bound: it stays Pending with PodScheduled False
/// (Unschedulable), as the scheduler leaves it, so it has no host for exec or logs.
/// </summary>
internal sealed class PodController(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    // The labels the kubelet puts on its Node (the lab has no Node objects; these are what a nodeSelector may match).
    private static readonly Dictionary<string, string> NodeLabels = new(StringComparer.Ordinal)
    {
        ["kubernetes.io/hostname"] = PodStatus.Node, ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "amd64",
    };
    private int _podIp = 100;

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource != "pods" || e.Type != StoreEventType.Added || e.New is null) return;
        if (e.New["metadata"]?["annotations"]?["lab.hybridmesh.io/deployment"] is not null) return;
        if (!string.IsNullOrEmpty((string?)e.New["spec"]?["nodeName"])) return;
        var ns = Ns(e.New)!;
        var name = Name(e.New);
        After(Rt.PodStartDelay, () =>
        {
            if (Fits(e.New)) Start(ns, name);
            else Unschedulable(ns, name);
        });
    }

    private static bool Fits(JsonObject pod) =>
        (pod["spec"]?["nodeSelector"] as JsonObject ?? []).All(kv => NodeLabels.TryGetValue(kv.Key, out var v) && v == (string?)kv.Value);

    private void Unschedulable(string ns, string name)
    {
        Update("pods", ns, name, pod =>
        {
            if (pod["metadata"]?["deletionTimestamp"] is not null || !string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"])) return false;
            pod["status"] = new JsonObject
            {
                ["phase"] = "Pending",
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "PodScheduled", ["status"] = "False", ["lastProbeTime"] = null, ["lastTransitionTime"] = Rt.Now(),
                    ["reason"] = "Unschedulable",
                    ["message"] = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
                }),
                ["qosClass"] = "BestEffort",
            };
            return true;
        }, subresource: "status", manager: "default-scheduler");
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
