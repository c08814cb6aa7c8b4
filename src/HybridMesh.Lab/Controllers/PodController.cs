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
    private const string Node = "lab-node-1";
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
            pod["spec"]!["nodeName"] = Node;
            var now = Rt.Now();
            var ip = Interlocked.Increment(ref _podIp);
            var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var unpullable = containers.Where(c => Rt.UnpullableImages.ContainsKey((string?)c["image"] ?? "")).Select(c => (string?)c["name"]).ToHashSet();
            var statuses = new JsonArray();
            foreach (var c in containers)
            {
                var image = (string?)c["image"] ?? "";
                var cname = (string?)c["name"];
                statuses.Add(unpullable.Contains(cname)
                    ? new JsonObject
                    {
                        ["name"] = cname, ["state"] = new JsonObject
                        {
                            ["waiting"] = new JsonObject
                            {
                                ["reason"] = "ErrImagePull",
                                ["message"] = $"failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": dial tcp: lookup registry: i/o timeout",
                            },
                        },
                        ["lastState"] = new JsonObject(), ["ready"] = false, ["restartCount"] = 0, ["image"] = image, ["imageID"] = "", ["started"] = false,
                    }
                    : new JsonObject
                    {
                        ["name"] = cname, ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
                        ["lastState"] = new JsonObject(), ["ready"] = true, ["restartCount"] = 0, ["image"] = image,
                        ["imageID"] = $"{image}@sha256:{new string('0', 64)}", ["containerID"] = $"containerd://{Guid.NewGuid():N}", ["started"] = true,
                    });
            }

            var ready = unpullable.Count == 0;
            var notReady = ready ? null : $"containers with unready status: [{string.Join(" ", unpullable)}]";
            JsonObject Condition(string type, bool ok) => ok
                ? new JsonObject { ["type"] = type, ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = now }
                : new JsonObject { ["type"] = type, ["status"] = "False", ["lastProbeTime"] = null, ["lastTransitionTime"] = now, ["reason"] = "ContainersNotReady", ["message"] = notReady };
            var podIp = $"10.245.{(ip >> 8) & 0xff}.{ip & 0xff}";
            pod["status"] = new JsonObject
            {
                ["phase"] = ready ? "Running" : "Pending",
                ["conditions"] = new JsonArray(
                    Condition("PodReadyToStartContainers", true), Condition("Initialized", true), Condition("Ready", ready),
                    Condition("ContainersReady", ready), Condition("PodScheduled", true)),
                ["hostIP"] = "10.0.0.2", ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "10.0.0.2" }),
                ["podIP"] = podIp, ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
                ["startTime"] = now, ["containerStatuses"] = statuses, ["qosClass"] = "BestEffort",
            };
            return true;
        }, subresource: "status", manager: "kubelet");
    }
}
