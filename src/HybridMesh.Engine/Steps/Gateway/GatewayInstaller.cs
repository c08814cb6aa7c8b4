using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// Runbook step 3 without istioctl (Install-EastWestGateway): per cluster, settle network and revision, label
/// istio-system when it has no network label, server-side apply the gateway objects of docs/design/gateway-objects.md (field manager
/// hybridmesh), then wait for the load-balancer address. Clusters run concurrently; one cluster's failure is that
/// cluster's non-terminating error.
/// </summary>
public static class GatewayInstaller
{
    public const int ActivityId = 1;

    public static async Task<IReadOnlyList<EastWestGateway>> InstallManyAsync(IReadOnlyList<MeshTarget> targets,
        GatewayInstallRequest request, KubeSessionOptions sessionOptions, IMeshSink sink, int throttleLimit,
        CancellationToken cancellationToken = default)
    {
        var withSink = sessionOptions with { Sink = sessionOptions.Sink ?? sink };
        var index = 0;
        var activityIds = targets.ToDictionary(t => t, _ => ActivityId + 1 + index++);
        var results = await BoundedFanOut.RunAsync(targets, throttleLimit, sink, ActivityId, "Installing east-west gateways",
            t => t.Context,
            async (target, token) =>
            {
                using var session = KubeSession.Open(target.Cluster, withSink);
                return await InstallAsync(session, target, request, sink, activityIds[target], token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return results.OfType<EastWestGateway>().ToArray();
    }

    internal static async Task<EastWestGateway> InstallAsync(KubeSession session, MeshTarget target,
        GatewayInstallRequest request, IMeshSink sink, int activityId = ActivityId + 1,
        CancellationToken cancellationToken = default)
    {
        // Discovery of the gateway's kinds goes out with the settings reads instead of before the plan's reads.
        var discovery = WarmDiscoveryAsync(session, cancellationToken);
        var settings = await GatewaySettingsResolver.ResolveAsync(session, target, request, sink, cancellationToken)
            .ConfigureAwait(false);
        await discovery.ConfigureAwait(false);
        var options = Options(request, target, settings);
        // Render (and so validate) before the first write: bad options must not leave a half-labelled cluster.
        var objects = EastWestGatewayRenderer.Render(options);

        // Read and check every object before the first write (the namespace label included), so a refusal leaves
        // the cluster as it was (docs/design/gateway-ownership.md).
        var writer = new ManagedObjectWriter(session, sink, request.Force);
        var plan = await writer.PlanAsync(objects, cancellationToken).ConfigureAwait(false);

        var applied = new List<AppliedObject>();
        if (settings.LabelChange != NetworkLabelChange.None)
        {
            applied.Add(await LabelNamespaceAsync(session, settings, sink, cancellationToken).ConfigureAwait(false));
        }

        applied.AddRange(await writer.WriteAsync(plan, cancellationToken).ConfigureAwait(false));

        writer.Known.TryGetValue(ManagedObjectWriter.Key("Service", options.Namespace, EastWestGatewayRenderer.GatewayName), out var known);
        var (address, status) = await AddressAsync(session, options, request, applied, known, sink, activityId, cancellationToken)
            .ConfigureAwait(false);
        return new EastWestGateway(target.Cluster, settings.Network, settings.Revision, applied)
        {
            FleetProjectId = target.FleetProjectId,
            MeshId = options.MeshId,
            Namespace = options.Namespace,
            Address = address,
            Status = status,
        };
    }

    /// <summary>The options of one cluster's gateway: the request's shape with the cluster's network, revision and mesh id.</summary>
    internal static EastWestGatewayOptions Options(GatewayInstallRequest request, MeshTarget target, GatewaySettings settings) =>
        request.Gateway with
        {
            Network = settings.Network,
            Revision = settings.Revision,
            MeshId = !string.IsNullOrEmpty(request.Gateway.MeshId) ? request.Gateway.MeshId
                : !string.IsNullOrEmpty(target.MeshId) ? target.MeshId
                : settings.InstalledMeshId,
        };

    /// <summary>
    /// The options a cluster's gateway would get, for -ManifestOnly/-AsIstioOperator: offline when network and
    /// revision are known, else read from the cluster (reads only).
    /// </summary>
    public static async Task<EastWestGatewayOptions> PlanOptionsAsync(MeshTarget target, GatewayInstallRequest request,
        KubeSessionOptions sessionOptions, IMeshSink sink, CancellationToken cancellationToken = default)
    {
        var settings = GatewaySettingsResolver.Offline(target, request);
        if (settings is null)
        {
            using var session = KubeSession.Open(target.Cluster, sessionOptions with { Sink = sessionOptions.Sink ?? sink });
            settings = await GatewaySettingsResolver.ResolveAsync(session, target, request, sink, cancellationToken)
                .ConfigureAwait(false);
        }

        return Options(request, target, settings);
    }

    private static async Task<AppliedObject> LabelNamespaceAsync(KubeSession session, GatewaySettings settings,
        IMeshSink sink, CancellationToken cancellationToken)
    {
        const string ns = IstioNames.SystemNamespace;
        var target = ManagedObjectWriter.Target("Namespace", null, ns, session.Context);
        var action = settings.LabelChange == NetworkLabelChange.Add
            ? $"Label {ManifestLabels.NetworkKey}={settings.Network}"
            : $"Relabel {ManifestLabels.NetworkKey} from {settings.LabelledNetwork} to {settings.Network}";
        if (!sink.ShouldProcess(target, action))
        {
            return new AppliedObject("Namespace", null, ns, ObjectOutcome.Skipped, session.Context);
        }

        // Recorded only when the label was absent: then Uninstall-EastWestGateway may remove what the module added.
        // Server-side apply (not a merge patch) so throttled attempts are retried; an overwrite takes the label from
        // whoever set it (asmcli uses kubectl label), which is what -Force asked for.
        var labels = GatewaySettingsResolver.LabelObject(settings.Network, settings.LabelChange == NetworkLabelChange.Add);
        await session.ApplyAsync(labels, KubeSession.DefaultFieldManager, settings.LabelChange == NetworkLabelChange.Overwrite,
            false, cancellationToken).ConfigureAwait(false);
        sink.Verbose($"{target}: {action}.");
        return new AppliedObject("Namespace", null, ns, ObjectOutcome.Configured, session.Context);
    }

    /// <summary>
    /// The (apiVersion, kind) pairs <see cref="EastWestGatewayRenderer"/> renders, resolved ahead; a failure here is
    /// left to the plan, which resolves again and reports it (discovery forgets failed fetches).
    /// </summary>
    private static readonly (string ApiVersion, string Kind)[] GatewayKinds =
    [
        ("v1", "ServiceAccount"), ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("apps/v1", "Deployment"), ("v1", "Service"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
    ];

    private static async Task WarmDiscoveryAsync(KubeSession session, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(GatewayKinds.Select(k => session.ResolveAsync(k.ApiVersion, k.Kind, cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MeshException or ArgumentException)
        {
            // Reported, if it still fails, by the plan's own resolution.
        }
    }

    private static async Task<(string? Address, EastWestGatewayStatus Status)> AddressAsync(KubeSession session,
        EastWestGatewayOptions options, GatewayInstallRequest request, IReadOnlyList<AppliedObject> applied,
        JsonObject? known, IMeshSink sink, int activityId, CancellationToken cancellationToken)
    {
        var notApplied = applied.Any(o => o.Outcome == ObjectOutcome.Skipped);
        var serviceSkipped = notApplied && applied.Any(o => o.Kind == "Service" && o.Outcome == ObjectOutcome.Skipped);
        // The Service as this run's plan read it or its apply returned it: no second read to learn what it holds.
        var service = serviceSkipped ? null
            : known ?? await GatewayAddress.ReadServiceAsync(session, options.Namespace, cancellationToken).ConfigureAwait(false);
        var address = GatewayAddress.Of(service);
        if (notApplied)
        {
            return (address, EastWestGatewayStatus.NotApplied);
        }

        if (address is not null)
        {
            return (address, EastWestGatewayStatus.Ready);
        }

        if (options.ServiceType != GatewayServiceType.LoadBalancer)
        {
            sink.Warning($"[{session.Context}] The gateway Service is of type {options.ServiceType} without external IPs: " +
                         "other clusters need an address routed to it; pass -ExternalIP with one.");
            return (null, EastWestGatewayStatus.NoExternalAddress);
        }

        if (request.NoWait)
        {
            return (null, EastWestGatewayStatus.Pending);
        }

        address = await GatewayAddress.WaitAsync(session, options.Namespace, request.AddressTimeout, request.PollInterval,
            sink, activityId, cancellationToken).ConfigureAwait(false);
        return (address, EastWestGatewayStatus.Ready);
    }
}
