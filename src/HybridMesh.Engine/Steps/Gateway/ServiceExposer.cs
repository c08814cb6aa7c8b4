using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// Runbook step 4 (Publish-MeshService): the Istio Gateway cross-network-gateway of expose-services.yaml (docs/design/gateway-objects.md)
/// in the newest Gateway version the cluster serves, applied only where an east-west gateway exists for its selector.
/// </summary>
public static class ServiceExposer
{
    public const int ActivityId = 1;

    public static async Task<IReadOnlyList<MeshServiceExposure>> PublishManyAsync(IReadOnlyList<MeshTarget> targets,
        CrossNetworkGatewayOptions options, bool force, KubeSessionOptions sessionOptions, IMeshSink sink,
        int throttleLimit, CancellationToken cancellationToken = default)
    {
        var withSink = sessionOptions with { Sink = sessionOptions.Sink ?? sink };
        var results = await BoundedFanOut.RunAsync(targets, throttleLimit, sink, ActivityId, "Publishing mesh services",
            t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, withSink);
                return await PublishAsync(session, target, options, force, sink, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return results.OfType<MeshServiceExposure>().ToArray();
    }

    internal static async Task<MeshServiceExposure> PublishAsync(KubeSession session, MeshTarget target,
        CrossNetworkGatewayOptions options, bool force, IMeshSink sink, CancellationToken cancellationToken = default)
    {
        // The three reads are independent and go out together (docs/design/scale.md); each is still judged where it
        // was before: the gateway list, then discovery, then (after the apply) the Service.
        var gatewaysRead = session.ListAsync("apps/v1", "Deployment", options.Namespace, "istio=eastwestgateway",
            cancellationToken);
        var servedRead = session.ServedVersionsAsync(CrossNetworkGatewayRenderer.ApiGroup, cancellationToken);
        var serviceRead = GatewayAddress.ReadServiceAsync(session, options.Namespace, cancellationToken);
        MeshServiceExposure exposure;
        try
        {
            exposure = await PublishAsync(session, target, options, force, sink, gatewaysRead, servedRead, serviceRead,
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var read in new Task[] { gatewaysRead, servedRead, serviceRead })
            {
                _ = read.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted,
                    TaskScheduler.Default);
            }

            throw;
        }

        return exposure;
    }

    private static async Task<MeshServiceExposure> PublishAsync(KubeSession session, MeshTarget target,
        CrossNetworkGatewayOptions options, bool force, IMeshSink sink, Task<IReadOnlyList<JsonObject>> gatewaysRead,
        Task<IReadOnlyList<string>> servedRead, Task<JsonObject?> serviceRead, CancellationToken cancellationToken)
    {
        // The Gateway's selector (istio: eastwestgateway) must match a gateway, or it would silently route nothing.
        if ((await gatewaysRead.ConfigureAwait(false)).Count == 0)
        {
            throw MeshErrors.EastWestGatewayMissing(session.Context, options.Namespace);
        }

        var served = await servedRead.ConfigureAwait(false);
        var desired = CrossNetworkGatewayRenderer.Render(options, served, session.Context);
        var applied = await new ManagedObjectWriter(session, sink, force).ApplyAsync(desired, cancellationToken)
            .ConfigureAwait(false);
        var service = await serviceRead.ConfigureAwait(false);
        var network = target.Network ??
                      GatewaySettingsResolver.Text(service?["metadata"]?["labels"]?[ManifestLabels.NetworkKey]);
        var hosts = (desired["spec"]?["servers"]?[0]?["hosts"]?.AsArray() ?? [])
            .Select(h => h?.GetValue<string>() ?? "").ToArray();
        return new MeshServiceExposure(target.Cluster, ManifestObjects.ApiVersion(desired), hosts, applied)
        {
            Network = network,
            FleetProjectId = target.FleetProjectId,
            MeshId = target.MeshId,
            Revision = target.Revision,
            GatewayAddress = GatewayAddress.Of(service),
        };
    }
}
