using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// Deployments become available shortly after a write: the controller creates one Running, Ready Pod per replica
/// (labels from the template plus pod-template-hash), replaces Pods of an older template, and reports status
/// (replicas, readyReplicas, availableReplicas, conditions). No ReplicaSet objects are stored.
/// </summary>
internal sealed class DeploymentController(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    private const string GroupResource = "deployments.apps";
    private int _podIp = 10;

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource != GroupResource) return;
        if (e.Type == StoreEventType.Deleted)
        {
            var ns = Ns(e.Old!)!;
            var name = Name(e.Old!);
            After(TimeSpan.FromMilliseconds(10), () => DeletePods(ns, name, keepHash: null));
            return;
        }
        var d = e.New!;
        if (d["metadata"]?["deletionTimestamp"] is not null) return;
        if ((long?)d["status"]?["observedGeneration"] == (long?)d["metadata"]?["generation"]) return;
        var nsName = Ns(d)!;
        var dName = Name(d);
        After(Rt.DeploymentReadyDelay, () => Reconcile(nsName, dName));
    }

    private static string TemplateHash(JsonObject d)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(d["spec"]?["template"]?.ToJsonString() ?? ""));
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(bytes.Take(10).Select(b => alphabet[b % alphabet.Length]));
    }

    private void Reconcile(string ns, string name)
    {
        var d = Rt.Store.Get(GroupResource, ns, name);
        if (d is null) return;
        var hash = TemplateHash(d);
        var replicas = (int?)d["spec"]?["replicas"] ?? 1;
        DeletePods(ns, name, keepHash: hash);
        var existing = OwnedPods(ns, name).Where(p => (string?)p["metadata"]?["labels"]?["pod-template-hash"] == hash).ToList();
        for (var i = existing.Count; i < replicas; i++) CreatePod(d, hash);
        foreach (var extra in existing.Skip(replicas)) Rt.Store.Transact(() => Rt.Store.Remove("pods", ns, Name(extra)));
        Update(GroupResource, ns, name, dep =>
        {
            var generation = (long?)dep["metadata"]?["generation"] ?? 1;
            var now = Rt.Now();
            var status = new JsonObject { ["observedGeneration"] = generation };
            if (replicas > 0)
            {
                status["replicas"] = replicas;
                status["updatedReplicas"] = replicas;
                status["readyReplicas"] = replicas;
                status["availableReplicas"] = replicas;
            }
            status["conditions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Available", ["status"] = "True", ["lastUpdateTime"] = now, ["lastTransitionTime"] = now,
                    ["reason"] = "MinimumReplicasAvailable", ["message"] = "Deployment has minimum availability.",
                },
                new JsonObject
                {
                    ["type"] = "Progressing", ["status"] = "True", ["lastUpdateTime"] = now, ["lastTransitionTime"] = now,
                    ["reason"] = "NewReplicaSetAvailable", ["message"] = $"ReplicaSet \"{name}-{hash}\" has successfully progressed.",
                });
            if (JsonNode.DeepEquals(StripTimes(dep["status"]), StripTimes(status))) return false;
            dep["status"] = status;
            var meta = (JsonObject)dep["metadata"]!;
            if (meta["annotations"] is not JsonObject annotations) meta["annotations"] = annotations = new JsonObject();
            annotations["deployment.kubernetes.io/revision"] ??= "1";
            return true;
        }, subresource: "status");
    }

    private static JsonNode? StripTimes(JsonNode? status)
    {
        if (status is null) return null;
        var c = status.DeepClone();
        foreach (var cond in (c["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            cond.Remove("lastUpdateTime");
            cond.Remove("lastTransitionTime");
        }
        return c;
    }

    private IEnumerable<JsonObject> OwnedPods(string ns, string deployment) =>
        Rt.Store.List("pods", ns).Items.Where(p => (string?)p["metadata"]?["annotations"]?["lab.hybridmesh.io/deployment"] == deployment);

    private void DeletePods(string ns, string deployment, string? keepHash)
    {
        Rt.Store.Transact(() =>
        {
            foreach (var p in OwnedPods(ns, deployment).ToList())
                if (keepHash is null || (string?)p["metadata"]?["labels"]?["pod-template-hash"] != keepHash)
                    Rt.Store.Remove("pods", ns, Name(p));
        });
    }

    private void CreatePod(JsonObject d, string hash)
    {
        var ns = Ns(d)!;
        var name = Name(d);
        var template = d["spec"]?["template"] as JsonObject ?? new JsonObject();
        var labels = (template["metadata"]?["labels"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        labels["pod-template-hash"] = hash;
        var spec = (JsonObject)(template["spec"]?.DeepClone() ?? new JsonObject());
        spec["nodeName"] = PodStatus.Node;
        var now = Rt.Now();
        var containerStatuses = new JsonArray();
        foreach (var c in (spec["containers"] as JsonArray ?? []).OfType<JsonObject>()) containerStatuses.Add(PodStatus.Running(c, now));
        var pod = new JsonObject
        {
            ["kind"] = "Pod", ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{name}-{hash}-{Api.ResourceHandler.RandomSuffix(5)}", ["namespace"] = ns, ["labels"] = labels,
                // lets the lab find a Deployment's Pods without storing ReplicaSets
                ["annotations"] = new JsonObject { ["lab.hybridmesh.io/deployment"] = name },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = $"{name}-{hash}", ["uid"] = Guid.NewGuid().ToString(),
                    ["controller"] = true, ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = spec,
            // Born Running: the lab schedules and starts a Deployment's pods at once (PodStatus, as the pod controller does).
            ["status"] = PodStatus.Build(containerStatuses, PodStatus.NextIp("10.244", ref _podIp), now),
        };
        CreateIfMissing("pods", pod);
    }
}
