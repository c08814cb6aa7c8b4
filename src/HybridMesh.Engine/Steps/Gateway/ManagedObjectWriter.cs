using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// Applies rendered objects to one cluster the honest way: read the live object, decide whether anything would
/// change, ask ShouldProcess only for real changes ("Create", "Update", "Delete and recreate"), then server-side
/// apply with field manager hybridmesh. Unchanged objects are neither prompted for nor sent.
/// </summary>
internal sealed class ManagedObjectWriter(KubeSession session, IMeshSink sink, bool force)
{
    public static readonly TimeSpan DeletionWait = TimeSpan.FromSeconds(60);

    public static string Target(string kind, string? ns, string name, string context) =>
        string.IsNullOrEmpty(ns) ? $"{kind} {name} @ {context}" : $"{kind} {ns}/{name} @ {context}";

    public async Task<AppliedObject> ApplyAsync(JsonObject desired, CancellationToken cancellationToken)
    {
        var kind = ManifestObjects.Kind(desired);
        var ns = ManifestObjects.Namespace(desired);
        var name = ManifestObjects.Name(desired);
        var target = Target(kind, ns, name, session.Context);
        var live = await session.GetAsync(ManifestObjects.ApiVersion(desired), kind, NullIfEmpty(ns), name, cancellationToken)
            .ConfigureAwait(false);

        if (live is not null && EastWestGatewayRenderer.RequiresReplacement(live, desired))
        {
            return await RecreateAsync(desired, target, cancellationToken).ConfigureAwait(false);
        }

        if (live is not null && LiveObjectComparer.Covers(live, desired) &&
            !LiveObjectComparer.OwnsFieldsNotDesired(live, desired, KubeSession.DefaultFieldManager))
        {
            sink.Verbose($"{target}: up to date.");
            return Applied(desired, ObjectOutcome.Unchanged);
        }

        if (!sink.ShouldProcess(target, live is null ? "Create" : "Update"))
        {
            return Applied(desired, ObjectOutcome.Skipped);
        }

        var result = await session.ApplyAsync(desired, KubeSession.DefaultFieldManager, force, false, cancellationToken)
            .ConfigureAwait(false);
        sink.Verbose($"{target}: {result.Outcome}.");
        return Applied(desired, result.Outcome switch
        {
            ApplyOutcome.Created => ObjectOutcome.Created,
            ApplyOutcome.Unchanged => ObjectOutcome.Unchanged,
            _ => ObjectOutcome.Configured,
        });
    }

    // A Deployment selector is immutable (it holds the network label): only -Force deletes and recreates it.
    private async Task<AppliedObject> RecreateAsync(JsonObject desired, string target, CancellationToken cancellationToken)
    {
        var kind = ManifestObjects.Kind(desired);
        var ns = ManifestObjects.Namespace(desired);
        var name = ManifestObjects.Name(desired);
        if (!force)
        {
            throw MeshErrors.GatewaySelectorChange(session.Context, ns, name);
        }

        if (!sink.ShouldProcess(target, "Delete and recreate (the selector holds the network label and cannot change)"))
        {
            return Applied(desired, ObjectOutcome.Skipped);
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
        return Applied(desired, ObjectOutcome.Created);
    }

    private AppliedObject Applied(JsonObject obj, ObjectOutcome outcome) =>
        new(ManifestObjects.Kind(obj), ManifestObjects.Namespace(obj), ManifestObjects.Name(obj), outcome, session.Context);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
