using System.Text.Json.Nodes;
using HybridMesh.Lab.Api;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// Shared plumbing for the lab's controllers: they react to store events after a delay (as the real
/// kube-controller-manager reacts a few ms after a write) and write through the store like any client.
/// </summary>
internal abstract class ControllerBase(ClusterRuntime rt, CancellationToken stopping)
{
    protected ClusterRuntime Rt { get; } = rt;
    protected CancellationToken Stopping { get; } = stopping;
    protected const string Manager = "kube-controller-manager";

    public abstract void OnChange(StoreEvent e);

    protected void After(TimeSpan delay, Action work)
    {
        // Work is counted and dropped at a reset (ClusterRuntime.QuiesceAndAsync), so that nothing scheduled before a
        // reset changes the state it restored.
        if (!Rt.AcceptsWork) return;
        var reset = Rt.WorkToken;
        Rt.WorkStarted();
        _ = Task.Run(async () =>
        {
            try
            {
                using var both = CancellationTokenSource.CreateLinkedTokenSource(Stopping, reset);
                if (delay > TimeSpan.Zero) await Task.Delay(delay, both.Token);
                if (!both.IsCancellationRequested) work();
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                // A controller failure must not take the lab down; it shows up as an object that never converges.
                Console.Error.WriteLine($"[lab {Rt.Name}] {GetType().Name}: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                Rt.WorkEnded();
            }
        });
    }

    /// <summary>Read-modify-write of the latest object; <paramref name="mutate"/> returns false to skip.</summary>
    protected void Update(string groupResource, string? ns, string name, Func<JsonObject, bool> mutate, string? subresource = null, string manager = Manager)
    {
        Rt.Store.Transact(() =>
        {
            var current = Rt.Store.Get(groupResource, ns, name);
            if (current is null) return;
            var next = (JsonObject)current.DeepClone();
            if (!mutate(next)) return;
            var custom = Rt.Registry.All.FirstOrDefault(t => t.GroupResource == groupResource)?.IsCustom ?? false;
            ManagedFields.RecordUpdate(current, next, null, manager, (string?)current["apiVersion"] ?? "v1", subresource, Rt.Now(), custom);
            Rt.Store.Put(groupResource, KeyOrder.Canonical(next, custom));
        });
    }

    /// <summary>Creates an object as a controller would (uid, timestamps, managedFields), unless it exists.</summary>
    protected void CreateIfMissing(string groupResource, JsonObject obj, string manager = Manager)
    {
        Rt.Store.Transact(() =>
        {
            var meta = (JsonObject)obj["metadata"]!;
            if (Rt.Store.Get(groupResource, (string?)meta["namespace"], (string)meta["name"]!) is not null) return;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Rt.Now();
            ManagedFields.RecordUpdate(null, obj, null, manager, (string?)obj["apiVersion"] ?? "v1", null, Rt.Now(), false);
            Rt.Store.Put(groupResource, KeyOrder.Canonical(obj, false));
        });
    }

    protected static string? Ns(JsonObject o) => (string?)o["metadata"]?["namespace"];
    protected static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;
}
