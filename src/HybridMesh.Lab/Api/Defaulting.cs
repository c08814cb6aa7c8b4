using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>
/// Server-side defaults for the kinds the module writes, as they appear in the recorded answers (docs/design/kube-api-answers.md §3.1, §4.7, §5.1,
/// docs/design/kube-api-answers.md §6.1). Only defaults a client could observe are filled in.
/// </summary>
public static class Defaulting
{
    public static void Apply(ResourceType type, JsonObject obj, JsonObject? old, Allocator allocator)
    {
        if (type.IsCustom) return;
        switch (type.Plural)
        {
            case "namespaces": Namespace(obj); break;
            case "secrets": Secret(obj); break;
            case "services": Service(obj, old, allocator); break;
            case "deployments": Deployment(obj); break;
            case "pods": Pod(obj); break;
        }
    }

    private static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject o) return o;
        o = new JsonObject();
        parent[key] = o;
        return o;
    }

    private static void Namespace(JsonObject obj)
    {
        var meta = (JsonObject)obj["metadata"]!;
        Child(meta, "labels")["kubernetes.io/metadata.name"] = (string?)meta["name"];
        Child(obj, "spec")["finalizers"] ??= new JsonArray("kubernetes");
        Child(obj, "status")["phase"] ??= "Active";
    }

    /// <summary>stringData is write-only: folded into data (base64) and never stored (docs/design/kube-api-answers.md §4.9).</summary>
    private static void Secret(JsonObject obj)
    {
        if (obj["stringData"] is JsonObject sd)
        {
            var data = Child(obj, "data");
            foreach (var (k, v) in sd) data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string?)v ?? ""));
            obj.Remove("stringData");
        }
        if (string.IsNullOrEmpty((string?)obj["type"])) obj["type"] = "Opaque";
    }

    private static void Service(JsonObject obj, JsonObject? old, Allocator allocator)
    {
        var spec = Child(obj, "spec");
        var oldSpec = old?["spec"] as JsonObject;
        var type = (string?)spec["type"] ?? "ClusterIP";
        spec["type"] = type;
        if (type != "ExternalName")
        {
            if (spec["clusterIP"] is null)
            {
                var ip = (string?)oldSpec?["clusterIP"] ?? allocator.NextClusterIp();
                spec["clusterIP"] = ip;
            }
            if (spec["clusterIPs"] is null) spec["clusterIPs"] = new JsonArray((string?)spec["clusterIP"]);
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            spec["internalTrafficPolicy"] ??= "Cluster";
        }
        spec["sessionAffinity"] ??= "None";
        var needsNodePorts = type is "NodePort" || (type == "LoadBalancer" && (bool?)spec["allocateLoadBalancerNodePorts"] != false);
        if (type is "NodePort" or "LoadBalancer") spec["externalTrafficPolicy"] ??= "Cluster";
        if (type == "LoadBalancer") spec["allocateLoadBalancerNodePorts"] ??= true;
        var oldPorts = (oldSpec?["ports"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (spec["ports"] is JsonArray ports)
        {
            var list = ports.OfType<JsonObject>().ToList();
            ports.Clear();
            foreach (var p in list)
            {
                p["protocol"] ??= "TCP";
                p["targetPort"] ??= p["port"]?.DeepClone();
                if (needsNodePorts && p["nodePort"] is null)
                {
                    var previous = oldPorts.FirstOrDefault(o => JsonNode.DeepEquals(o["port"], p["port"]) && (string?)o["protocol"] == (string?)p["protocol"]);
                    p["nodePort"] = (int?)previous?["nodePort"] ?? allocator.NextNodePort();
                }
                ports.Add(KeyOrder.Reorder(p, "name", "protocol", "appProtocol", "port", "targetPort", "nodePort"));
            }
        }
        KeyOrder.ReorderInPlace(spec, "ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
            "loadBalancerIP", "externalTrafficPolicy", "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "internalTrafficPolicy");
        var status = Child(obj, "status");
        var lb = Child(status, "loadBalancer");
        if (lb["ingress"] is JsonArray ingress)
            foreach (var entry in ingress.OfType<JsonObject>())
                if (entry["ip"] is not null) entry["ipMode"] ??= "VIP";
    }

    private static void Deployment(JsonObject obj)
    {
        var spec = Child(obj, "spec");
        spec["replicas"] ??= 1;
        spec["strategy"] ??= new JsonObject
        {
            ["type"] = "RollingUpdate",
            ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" },
        };
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        var template = Child(spec, "template");
        var tmeta = Child(template, "metadata");
        if (!tmeta.ContainsKey("creationTimestamp")) tmeta.Insert(0, "creationTimestamp", null);
        PodSpec(Child(template, "spec"));
        KeyOrder.ReorderInPlace(spec, "replicas", "selector", "template", "strategy", "revisionHistoryLimit", "progressDeadlineSeconds");
        obj["status"] ??= new JsonObject();
    }

    private static void Pod(JsonObject obj)
    {
        PodSpec(Child(obj, "spec"));
        Child(obj, "status")["phase"] ??= "Pending";
    }

    private static void PodSpec(JsonObject spec)
    {
        if (spec["containers"] is JsonArray containers)
            foreach (var c in containers.OfType<JsonObject>())
            {
                c["resources"] ??= new JsonObject();
                c["terminationMessagePath"] ??= "/dev/termination-log";
                c["terminationMessagePolicy"] ??= "File";
                var image = (string?)c["image"] ?? "";
                var lastSegment = image[(image.LastIndexOf('/') + 1)..];
                c["imagePullPolicy"] ??= !lastSegment.Contains(':') || lastSegment.EndsWith(":latest", StringComparison.Ordinal) ? "Always" : "IfNotPresent";
                if (c["ports"] is JsonArray ports)
                    foreach (var p in ports.OfType<JsonObject>()) p["protocol"] ??= "TCP";
            }
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
    }
}
