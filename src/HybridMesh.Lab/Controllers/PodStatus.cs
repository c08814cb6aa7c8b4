using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// What the lab's kubelet reports for a pod it started on <see cref="Node"/>: one status per container (running and
/// ready, or waiting with a reason), the pod conditions, addresses and phase, in the shape a Kubernetes 1.32 kubelet
/// writes. Shared by the Deployment controller (its pods are born Running) and the pod controller (pods created
/// directly start shortly after, or stay Pending when an image cannot be pulled).
/// </summary>
internal static class PodStatus
{
    public const string Node = "lab-node-1";
    private const string HostIp = "10.0.0.2";

    /// <summary>A container that started and is ready.</summary>
    public static JsonObject Running(JsonObject container, string now)
    {
        var image = (string?)container["image"] ?? "";
        return new JsonObject
        {
            ["name"] = (string?)container["name"], ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
            ["lastState"] = new JsonObject(), ["ready"] = true, ["restartCount"] = 0, ["image"] = image,
            ["imageID"] = $"{image}@sha256:{new string('0', 64)}", ["containerID"] = $"containerd://{Guid.NewGuid():N}", ["started"] = true,
        };
    }

    /// <summary>A container that has not started: waiting with <paramref name="reason"/> (ErrImagePull, ...).</summary>
    public static JsonObject Waiting(JsonObject container, string reason, string message) => new()
    {
        ["name"] = (string?)container["name"], ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } },
        ["lastState"] = new JsonObject(), ["ready"] = false, ["restartCount"] = 0, ["image"] = (string?)container["image"] ?? "", ["imageID"] = "", ["started"] = false,
    };

    /// <summary>
    /// The pod's status from its containers' statuses: Running and Ready when every container is ready, else Pending
    /// with ContainersNotReady naming the containers that are not.
    /// </summary>
    public static JsonObject Build(JsonArray containerStatuses, string podIp, string now)
    {
        var notReady = containerStatuses.OfType<JsonObject>().Where(c => (bool?)c["ready"] != true).Select(c => (string?)c["name"]).ToArray();
        var ready = notReady.Length == 0;
        var message = ready ? null : $"containers with unready status: [{string.Join(" ", notReady)}]";
        JsonObject Condition(string type, bool ok) => ok
            ? new JsonObject { ["type"] = type, ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = now }
            : new JsonObject { ["type"] = type, ["status"] = "False", ["lastProbeTime"] = null, ["lastTransitionTime"] = now, ["reason"] = "ContainersNotReady", ["message"] = message };
        return new JsonObject
        {
            ["phase"] = ready ? "Running" : "Pending",
            ["conditions"] = new JsonArray(
                Condition("PodReadyToStartContainers", true), Condition("Initialized", true), Condition("Ready", ready),
                Condition("ContainersReady", ready), Condition("PodScheduled", true)),
            ["hostIP"] = HostIp, ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = HostIp }),
            ["podIP"] = podIp, ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
            ["startTime"] = now, ["containerStatuses"] = containerStatuses, ["qosClass"] = "BestEffort",
        };
    }

    /// <summary>The next pod address in <paramref name="prefix"/>.0.0/16 (each controller keeps its own counter and range).</summary>
    public static string NextIp(string prefix, ref int counter)
    {
        var ip = Interlocked.Increment(ref counter);
        return $"{prefix}.{(ip >> 8) & 0xff}.{ip & 0xff}";
    }
}
