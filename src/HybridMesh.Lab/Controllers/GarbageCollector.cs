using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// Finishes Foreground/Orphan deletions (docs/design/kube-api-answers.md §3.9): shortly after an object gets the foregroundDeletion or orphan
/// finalizer, the collector removes that finalizer; the object goes away once no finalizer is left. Dependents are
/// modelled only for Deployments (their Pods, removed by the Deployment controller).
/// </summary>
internal sealed class GarbageCollector(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    public override void OnChange(StoreEvent e)
    {
        if (e.New is null || e.New["metadata"]?["deletionTimestamp"] is null) return;
        var finalizers = (e.New["metadata"]?["finalizers"] as JsonArray)?.Select(f => (string?)f).ToList() ?? [];
        if (!finalizers.Contains("foregroundDeletion") && !finalizers.Contains("orphan")) return;
        var gr = e.GroupResource;
        var ns = Ns(e.New);
        var name = Name(e.New);
        After(TimeSpan.FromMilliseconds(50), () => Rt.Store.Transact(() =>
        {
            var current = Rt.Store.Get(gr, ns, name);
            if (current is null) return;
            var remaining = (current["metadata"]?["finalizers"] as JsonArray ?? [])
                .Select(f => (string?)f).Where(f => f is not ("foregroundDeletion" or "orphan")).ToList();
            if (remaining.Count == 0)
            {
                Rt.Store.Remove(gr, ns, name);
                return;
            }
            var next = (JsonObject)current.DeepClone();
            ((JsonObject)next["metadata"]!)["finalizers"] = new JsonArray(remaining.Select(f => (JsonNode?)f).ToArray());
            Rt.Store.Put(gr, next);
        }));
    }
}
