using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>What the writer will do to one object, decided from reads alone.</summary>
internal enum WriteAction
{
    Unchanged,
    Create,
    Update,
    Recreate,
}

/// <summary>One object of a cluster's plan: the body to apply, what to do with it, and whose it was.</summary>
/// <param name="TakenOverFrom">The previous owner when the object is (or was earlier) taken over with -Force.</param>
/// <param name="TakeoverNow">True when this run takes the object from another installer.</param>
internal sealed record PlannedWrite(JsonObject Body, WriteAction Action, string TakenOverFrom, bool TakeoverNow)
{
    /// <summary>The object as the plan read it (null: absent), so the write need not read it again.</summary>
    public JsonObject? Live { get; init; }
}

/// <summary>
/// Applies rendered objects to one cluster the honest way, in two phases (docs/design/gateway-ownership.md):
/// <see cref="PlanAsync"/> reads every object and refuses before anything is written when one belongs to another
/// installer (ObjectOwnedByOther) or needs a selector change (GatewaySelectorChange), so a refusal leaves the cluster
/// as it was; <see cref="WriteAsync"/> then asks ShouldProcess only for real changes ("Create", "Update", "Delete and
/// recreate") and server-side applies with field manager hybridmesh. Unchanged objects are neither prompted nor sent.
/// </summary>
internal sealed class ManagedObjectWriter(KubeSession session, IMeshSink sink, bool force)
{
    public static readonly TimeSpan DeletionWait = TimeSpan.FromSeconds(60);

    public static string Target(string kind, string? ns, string name, string context) =>
        string.IsNullOrEmpty(ns) ? $"{kind} {name} @ {context}" : $"{kind} {ns}/{name} @ {context}";

    /// <summary>Plan, then write one object.</summary>
    public async Task<AppliedObject> ApplyAsync(JsonObject desired, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync([desired], cancellationToken).ConfigureAwait(false);
        return (await WriteAsync(plan, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Reads every object and decides; throws before any write when the plan cannot be carried out.</summary>
    public async Task<IReadOnlyList<PlannedWrite>> PlanAsync(IReadOnlyList<JsonObject> objects,
        CancellationToken cancellationToken)
    {
        var plan = new List<PlannedWrite>();
        var foreign = new List<string>();
        JsonObject? selectorChange = null;
        // The reads are independent: sent together, a cluster costs one round trip of them, not their sum.
        var reads = objects.Select(desired =>
        {
            var ns = ManifestObjects.Namespace(desired);
            return session.GetAsync(ManifestObjects.ApiVersion(desired), ManifestObjects.Kind(desired),
                ns.Length == 0 ? null : ns, ManifestObjects.Name(desired), cancellationToken);
        }).ToArray();
        await Task.WhenAll(reads).ConfigureAwait(false);
        for (var i = 0; i < objects.Count; i++)
        {
            var desired = objects[i];
            var live = await reads[i].ConfigureAwait(false);
            if (live is null)
            {
                plan.Add(new PlannedWrite(desired, WriteAction.Create, "", false) { Live = null });
                continue;
            }

            var body = desired;
            var takenOverFrom = "";
            var takeoverNow = false;
            if (!ObjectOwnership.CreatedByModule(live))
            {
                if (ObjectOwnership.TakenOverFrom(live) is { } earlier)
                {
                    takenOverFrom = earlier;
                }
                else
                {
                    takenOverFrom = ObjectOwnership.Owners(live);
                    takeoverNow = true;
                    foreign.Add($"{ManifestObjects.Describe(desired)} ({takenOverFrom})");
                }
            }

            if (EastWestGatewayRenderer.RequiresReplacement(live, desired))
            {
                // Deleted and created anew: the new object is the module's own (ownership comes with creation).
                selectorChange ??= desired;
                plan.Add(new PlannedWrite(desired, WriteAction.Recreate, takenOverFrom, takeoverNow));
                continue;
            }

            if (takenOverFrom.Length > 0)
            {
                body = ObjectOwnership.AsTakenOver(desired, takenOverFrom);
            }

            var unchanged = LiveObjectComparer.Covers(live, body) &&
                            !LiveObjectComparer.OwnsFieldsNotDesired(live, body, KubeSession.DefaultFieldManager);
            plan.Add(new PlannedWrite(body, unchanged ? WriteAction.Unchanged : WriteAction.Update, takenOverFrom, takeoverNow) { Live = live });
        }

        if (!force && foreign.Count > 0)
        {
            throw MeshErrors.ObjectOwnedByOther(session.Context, foreign);
        }

        if (!force && selectorChange is not null)
        {
            throw MeshErrors.GatewaySelectorChange(session.Context, ManifestObjects.Namespace(selectorChange),
                ManifestObjects.Name(selectorChange));
        }

        return plan;
    }

    /// <summary>
    /// The objects as the cluster last showed them (the plan's read, or the answer to the apply), by "Kind ns/name":
    /// a caller that needs one of them afterwards (the gateway Service's address) need not read it again.
    /// </summary>
    public IReadOnlyDictionary<string, JsonObject> Known => _known;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonObject> _known = new(StringComparer.Ordinal);

    public static string Key(string kind, string? ns, string name) => $"{kind} {ns}/{name}";

    /// <summary>
    /// Writes in plan order, in two waves (docs/design/scale.md): first the identity objects others refer to
    /// (ServiceAccount, Role, RoleBinding, Namespace), then the rest. Within a wave every change is asked for in plan
    /// order and the approved applies are sent together, so a cluster costs two round trips of writes, not one per
    /// object; results keep plan order and the first failure (in plan order) is thrown.
    /// </summary>
    public async Task<IReadOnlyList<AppliedObject>> WriteAsync(IReadOnlyList<PlannedWrite> plan,
        CancellationToken cancellationToken)
    {
        foreach (var write in plan)
        {
            if (write.Live is { } live)
            {
                _known[Key(ManifestObjects.Kind(write.Body), ManifestObjects.Namespace(write.Body), ManifestObjects.Name(write.Body))] = live;
            }
        }

        var results = new AppliedObject[plan.Count];
        var indexes = Enumerable.Range(0, plan.Count).ToArray();
        foreach (var wave in new[] { indexes.Where(i => IsIdentity(plan[i])), indexes.Where(i => !IsIdentity(plan[i])) })
        {
            var pending = new List<(int Index, Task<AppliedObject> Task)>();
            foreach (var index in wave)
            {
                var write = plan[index];
                if (write.Action == WriteAction.Recreate)
                {
                    // Delete, wait for the deletion, create: on its own, after what this wave already sent.
                    await EndAllAsync(pending).ConfigureAwait(false);
                    pending.Add((index, Task.FromResult(await RecreateAsync(write, TargetOf(write), cancellationToken).ConfigureAwait(false))));
                    continue;
                }

                pending.Add((index, WriteOneAsync(write, cancellationToken)));
            }

            await EndAllAsync(pending).ConfigureAwait(false);
            foreach (var (index, task) in pending)
            {
                results[index] = await task.ConfigureAwait(false);
            }
        }

        return results;
    }

    /// <summary>Waits for every send; then throws the first failure in plan order, if any.</summary>
    private static async Task EndAllAsync(List<(int Index, Task<AppliedObject> Task)> pending)
    {
        try
        {
            await Task.WhenAll(pending.Select(p => p.Task)).ConfigureAwait(false);
        }
        catch
        {
            foreach (var (_, task) in pending)
            {
                await task.ConfigureAwait(false);
            }

            throw;
        }
    }

    // Objects that others name (a Deployment's serviceAccountName, a RoleBinding's roleRef): created first, as
    // istioctl and Helm order them, so pods never start before their service account exists.
    private static bool IsIdentity(PlannedWrite write) =>
        ManifestObjects.Kind(write.Body) is "Namespace" or "ServiceAccount" or "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding";

    private string TargetOf(PlannedWrite write) => Target(ManifestObjects.Kind(write.Body), ManifestObjects.Namespace(write.Body),
        ManifestObjects.Name(write.Body), session.Context);

    /// <summary>
    /// Asks for the change on the caller's thread (so prompts keep plan order) and returns the send, not yet awaited.
    /// </summary>
    private Task<AppliedObject> WriteOneAsync(PlannedWrite write, CancellationToken cancellationToken)
    {
        var target = TargetOf(write);
        if (write.Action == WriteAction.Unchanged)
        {
            sink.Verbose($"{target}: up to date.");
            return Task.FromResult(Applied(write, ObjectOutcome.Unchanged));
        }

        var action = write.Action == WriteAction.Create ? "Create"
            : write.TakeoverNow ? $"Take over from {write.TakenOverFrom} and update" : "Update";
        if (!sink.ShouldProcess(target, action))
        {
            return Task.FromResult(Applied(write, ObjectOutcome.Skipped));
        }

        if (write.TakeoverNow)
        {
            sink.Warning($"{target}: taking over from {write.TakenOverFrom} (-Force). HybridMesh now applies its " +
                         "fields; Uninstall-EastWestGateway and Unpublish-MeshService leave the object in place.");
        }

        return SendAsync(write, target, cancellationToken);
    }

    private async Task<AppliedObject> SendAsync(PlannedWrite write, string target, CancellationToken cancellationToken)
    {
        var desired = write.Body;
        var result = await session.ApplyOverAsync(desired, write.Live, force, cancellationToken).ConfigureAwait(false);
        _known[Key(ManifestObjects.Kind(desired), ManifestObjects.Namespace(desired), ManifestObjects.Name(desired))] = result.Object;
        sink.Verbose($"{target}: {result.Outcome}.");
        return Applied(write, result.Outcome switch
        {
            ApplyOutcome.Created => ObjectOutcome.Created,
            ApplyOutcome.Unchanged => ObjectOutcome.Unchanged,
            _ => ObjectOutcome.Configured,
        });
    }

    // A Deployment selector is immutable (it holds the network label): only -Force (checked by the plan) deletes
    // and recreates it.
    private async Task<AppliedObject> RecreateAsync(PlannedWrite write, string target, CancellationToken cancellationToken)
    {
        var desired = write.Body;
        var kind = ManifestObjects.Kind(desired);
        var ns = ManifestObjects.Namespace(desired);
        var name = ManifestObjects.Name(desired);
        var from = write.TakeoverNow ? $", taking it over from {write.TakenOverFrom}" : "";
        if (!sink.ShouldProcess(target, $"Delete and recreate (the selector holds the network label and cannot change{from})"))
        {
            return Applied(write, ObjectOutcome.Skipped);
        }

        if (write.TakeoverNow)
        {
            sink.Warning($"{target}: deleting the object {write.TakenOverFrom} made and creating HybridMesh's own (-Force).");
        }

        var apiVersion = ManifestObjects.ApiVersion(desired);
        await session.DeleteAsync(apiVersion, kind, ns, name, "Background", false, cancellationToken).ConfigureAwait(false);
        var until = DateTime.UtcNow + DeletionWait;
        while (await session.GetAsync(apiVersion, kind, ns, name, cancellationToken).ConfigureAwait(false) is not null)
        {
            if (DateTime.UtcNow > until)
            {
                throw MeshErrors.KubeConflict(session.Context, $"recreating {target}",
                    $"the old object was still there after {DeletionWait.TotalSeconds:0} s", false);
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        await session.ApplyAsync(desired, KubeSession.DefaultFieldManager, force, false, cancellationToken).ConfigureAwait(false);
        sink.Verbose($"{target}: deleted and recreated with the new selector.");
        return Applied(write, ObjectOutcome.Created);
    }

    private AppliedObject Applied(PlannedWrite write, ObjectOutcome outcome) =>
        new(ManifestObjects.Kind(write.Body), ManifestObjects.Namespace(write.Body), ManifestObjects.Name(write.Body),
            outcome, session.Context)
        {
            TakenOverFrom = write.TakenOverFrom,
        };
}
