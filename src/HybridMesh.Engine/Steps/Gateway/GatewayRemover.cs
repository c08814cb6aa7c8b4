using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// Uninstall-EastWestGateway and Unpublish-MeshService: delete exactly the objects the module owns, i.e. those of
/// the gateway's (or the cross-network Gateway's) names that carry app.kubernetes.io/managed-by=hybridmesh. Objects of
/// the same name installed by istioctl or Helm are reported and left alone. The istio-system network label is removed
/// only when the module recorded that it added it.
/// </summary>
public static class GatewayRemover
{
    public const int ActivityId = 1;

    /// <summary>The gateway's kinds in delete order (the reverse of apply order).</summary>
    private static readonly (string ApiVersion, string Kind, string Name)[] GatewayObjects =
    [
        ("policy/v1", "PodDisruptionBudget", EastWestGatewayRenderer.GatewayName),
        ("autoscaling/v2", "HorizontalPodAutoscaler", EastWestGatewayRenderer.GatewayName),
        ("v1", "Service", EastWestGatewayRenderer.GatewayName),
        ("apps/v1", "Deployment", EastWestGatewayRenderer.GatewayName),
        ("rbac.authorization.k8s.io/v1", "RoleBinding", EastWestGatewayRenderer.SdsRoleName),
        ("rbac.authorization.k8s.io/v1", "Role", EastWestGatewayRenderer.SdsRoleName),
        ("v1", "ServiceAccount", EastWestGatewayRenderer.ServiceAccountName),
    ];

    public static async Task<IReadOnlyList<AppliedObject>> UninstallManyAsync(IReadOnlyList<MeshTarget> targets,
        string ns, bool keepNetworkLabel, KubeSessionOptions sessionOptions, IMeshSink sink, int throttleLimit,
        CancellationToken cancellationToken = default) =>
        await ManyAsync(targets, "Removing east-west gateways", sessionOptions, sink, throttleLimit,
            (session, token) => UninstallAsync(session, ns, keepNetworkLabel, sink, token), cancellationToken).ConfigureAwait(false);

    public static async Task<IReadOnlyList<AppliedObject>> UnpublishManyAsync(IReadOnlyList<MeshTarget> targets,
        string ns, KubeSessionOptions sessionOptions, IMeshSink sink, int throttleLimit,
        CancellationToken cancellationToken = default) =>
        await ManyAsync(targets, "Removing cross-network Gateways", sessionOptions, sink, throttleLimit,
            async (session, token) => (IReadOnlyList<AppliedObject>)[await UnpublishAsync(session, ns, sink, token).ConfigureAwait(false)],
            cancellationToken).ConfigureAwait(false);

    internal static async Task<IReadOnlyList<AppliedObject>> UninstallAsync(KubeSession session, string ns,
        bool keepNetworkLabel, IMeshSink sink, CancellationToken cancellationToken = default)
    {
        // Every object is read and judged before the first delete (docs/design/gateway-ownership.md).
        var live = new List<(string ApiVersion, string Kind, string Name, JsonObject Live)>();
        foreach (var (apiVersion, kind, name) in GatewayObjects)
        {
            if (await session.GetAsync(apiVersion, kind, ns, name, cancellationToken).ConfigureAwait(false) is { } obj)
            {
                live.Add((apiVersion, kind, name, obj));
            }
        }

        var removed = new List<AppliedObject>();
        foreach (var (apiVersion, kind, name, obj) in live)
        {
            removed.Add(await DeleteOwnedAsync(session, apiVersion, kind, ns, name, obj, sink, cancellationToken)
                .ConfigureAwait(false));
        }

        if (!keepNetworkLabel && await RemoveNetworkLabelAsync(session, sink, cancellationToken).ConfigureAwait(false) is { } label)
        {
            removed.Add(label);
        }

        return removed;
    }

    internal static async Task<AppliedObject> UnpublishAsync(KubeSession session, string ns, IMeshSink sink,
        CancellationToken cancellationToken = default)
    {
        var served = await session.ServedVersionsAsync(CrossNetworkGatewayRenderer.ApiGroup, cancellationToken).ConfigureAwait(false);
        var apiVersion = CrossNetworkGatewayRenderer.ChooseApiVersion(served, session.Context);
        var live = await session.GetAsync(apiVersion, "Gateway", ns, CrossNetworkGatewayRenderer.GatewayName, cancellationToken)
            .ConfigureAwait(false);
        return live is null
            ? new AppliedObject("Gateway", ns, CrossNetworkGatewayRenderer.GatewayName, ObjectOutcome.NotFound, session.Context)
            : await DeleteOwnedAsync(session, apiVersion, "Gateway", ns, CrossNetworkGatewayRenderer.GatewayName, live, sink,
                cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<AppliedObject>> ManyAsync(IReadOnlyList<MeshTarget> targets, string activity,
        KubeSessionOptions sessionOptions, IMeshSink sink, int throttleLimit,
        Func<KubeSession, CancellationToken, Task<IReadOnlyList<AppliedObject>>> work, CancellationToken cancellationToken)
    {
        var withSink = sessionOptions with { Sink = sessionOptions.Sink ?? sink };
        var results = await BoundedFanOut.RunAsync(targets, throttleLimit, sink, ActivityId, activity, t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, withSink);
                return await work(session, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return results.Where(r => r is not null).SelectMany(r => r!).ToArray();
    }

    // Deletes only what the module created (labelled managed-by=hybridmesh); objects of another installer, and
    // those -Force took over from one, are reported and left in place.
    private static async Task<AppliedObject> DeleteOwnedAsync(KubeSession session, string apiVersion, string kind,
        string ns, string name, JsonObject live, IMeshSink sink, CancellationToken cancellationToken)
    {
        var target = ManagedObjectWriter.Target(kind, ns, name, session.Context);
        if (!ObjectOwnership.CreatedByModule(live))
        {
            sink.Warning(MeshErrors.ObjectNotManaged(session.Context, $"{kind} {ns}/{name}").Message);
            return new AppliedObject(kind, ns, name, ObjectOutcome.Unchanged, session.Context)
            {
                TakenOverFrom = ObjectOwnership.TakenOverFrom(live) ?? "",
            };
        }

        if (!sink.ShouldProcess(target, "Delete"))
        {
            return new AppliedObject(kind, ns, name, ObjectOutcome.Skipped, session.Context);
        }

        await session.DeleteAsync(apiVersion, kind, ns, name, "Background", false, cancellationToken).ConfigureAwait(false);
        sink.Verbose($"{target}: deleted.");
        return new AppliedObject(kind, ns, name, ObjectOutcome.Deleted, session.Context);
    }

    private static async Task<AppliedObject?> RemoveNetworkLabelAsync(KubeSession session, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        const string ns = IstioNames.SystemNamespace;
        var live = await session.GetAsync("v1", "Namespace", null, ns, cancellationToken).ConfigureAwait(false);
        if (GatewaySettingsResolver.Text(live?["metadata"]?["annotations"]?[GatewaySettingsResolver.LabelAddedAnnotation]) != "added")
        {
            return null;
        }

        var target = ManagedObjectWriter.Target("Namespace", null, ns, session.Context);
        if (!sink.ShouldProcess(target, $"Remove label {ManifestLabels.NetworkKey} (added by HybridMesh)"))
        {
            return new AppliedObject("Namespace", null, ns, ObjectOutcome.Skipped, session.Context);
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = new JsonObject { [ManifestLabels.NetworkKey] = null },
                ["annotations"] = new JsonObject { [GatewaySettingsResolver.LabelAddedAnnotation] = null },
            },
        };
        await session.MergePatchAsync("v1", "Namespace", null, ns, patch, null, cancellationToken).ConfigureAwait(false);
        return new AppliedObject("Namespace", null, ns, ObjectOutcome.Configured, session.Context);
    }
}
