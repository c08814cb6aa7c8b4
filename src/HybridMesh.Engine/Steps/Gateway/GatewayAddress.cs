using System.Diagnostics;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// The address other clusters reach an east-west gateway at: the load balancer's ingress IP (or host name), else
/// the first spec.externalIPs entry. Waiting polls the Service with progress, because a cloud load balancer takes
/// from seconds to minutes.
/// </summary>
internal static class GatewayAddress
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);

    public static string? Of(JsonObject? service)
    {
        foreach (var ingress in (service?["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (GatewaySettingsResolver.Text(ingress["ip"]) is { } ip)
            {
                return ip;
            }

            if (GatewaySettingsResolver.Text(ingress["hostname"]) is { } host)
            {
                return host;
            }
        }

        return (service?["spec"]?["externalIPs"] as JsonArray)?.Select(GatewaySettingsResolver.Text).FirstOrDefault(ip => ip is not null);
    }

    public static Task<JsonObject?> ReadServiceAsync(KubeSession session, string ns, CancellationToken cancellationToken) =>
        session.GetAsync("v1", "Service", ns, EastWestGatewayRenderer.GatewayName, cancellationToken);

    /// <summary>Polls until the Service has an address; GatewayAddressTimeout after <paramref name="timeout"/>.</summary>
    public static async Task<string> WaitAsync(KubeSession session, string ns, TimeSpan timeout, TimeSpan poll,
        IMeshSink sink, int activityId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var attempt = 0;
        var activity = $"Waiting for the load-balancer address of {ns}/{EastWestGatewayRenderer.GatewayName} @ {session.Context}";
        try
        {
            while (true)
            {
                var service = await ReadServiceAsync(session, ns, cancellationToken).ConfigureAwait(false);
                if (Of(service) is { } address)
                {
                    sink.Verbose($"[{session.Context}] East-west gateway address: {address} (after {clock.Elapsed.TotalSeconds:0.0} s).");
                    return address;
                }

                if (clock.Elapsed >= timeout)
                {
                    throw MeshErrors.GatewayAddressTimeout(session.Context, ns, EastWestGatewayRenderer.GatewayName,
                        (int)Math.Ceiling(timeout.TotalSeconds));
                }

                var percent = (int)Math.Min(99, clock.Elapsed.TotalMilliseconds * 100 / Math.Max(1, timeout.TotalMilliseconds));
                sink.Progress(activityId, 1, activity, $"EXTERNAL-IP <pending> ({clock.Elapsed.TotalSeconds:0} s of {timeout.TotalSeconds:0} s)",
                    percent, false);
                // Short first waits (a lab or MetalLB answers in well under a second), then every poll interval.
                var wait = TimeSpan.FromTicks(Math.Min(poll.Ticks, FirstPoll.Ticks << Math.Min(attempt++, 16)));
                var remaining = timeout - clock.Elapsed;
                await Task.Delay(remaining < wait ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1)) : wait,
                    cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            sink.Progress(activityId, 1, activity, "done", 100, true);
        }
    }
}
