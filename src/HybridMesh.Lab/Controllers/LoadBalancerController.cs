using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// A cloud load-balancer controller: a Service of type LoadBalancer gets status.loadBalancer.ingress[{ip}] after the
/// cluster's configured delay, or never. The address is written through the status subresource, as a real
/// controller does (so ipMode VIP is defaulted and managedFields record subresource "status").
/// </summary>
internal sealed class LoadBalancerController(ClusterRuntime rt, int clusterIndex, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    private int _next;

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource != "services" || e.New is null) return;
        if ((string?)e.New["spec"]?["type"] != "LoadBalancer") return;
        if (e.New["status"]?["loadBalancer"]?["ingress"] is JsonArray { Count: > 0 }) return;
        if (Rt.LoadBalancer.Never) return;
        var ns = Ns(e.New)!;
        var name = Name(e.New);
        After(Rt.LoadBalancer.Delay, () => Assign(ns, name));
    }

    /// <summary>Assigns addresses to every waiting LoadBalancer Service (used when switching from Never to a delay).</summary>
    public void AssignPending()
    {
        foreach (var s in Rt.Store.List("services", null).Items)
            if ((string?)s["spec"]?["type"] == "LoadBalancer" && s["status"]?["loadBalancer"]?["ingress"] is not JsonArray { Count: > 0 })
            {
                var ns = Ns(s)!;
                var name = Name(s);
                After(Rt.LoadBalancer.Delay, () => Assign(ns, name));
            }
    }

    private void Assign(string ns, string name)
    {
        if (Rt.LoadBalancer.Never) return;
        Update("services", ns, name, svc =>
        {
            if ((string?)svc["spec"]?["type"] != "LoadBalancer") return false;
            if (svc["status"]?["loadBalancer"]?["ingress"] is JsonArray { Count: > 0 }) return false;
            var n = Interlocked.Increment(ref _next);
            var ip = $"100.64.{clusterIndex}.{10 + n % 240}";
            svc["status"] = new JsonObject
            {
                ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = ip, ["ipMode"] = "VIP" }) },
            };
            return true;
        }, subresource: "status", manager: "cloud-controller-manager");
    }
}
