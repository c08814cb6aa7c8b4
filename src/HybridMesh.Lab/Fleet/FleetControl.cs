using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Fleet;

/// <summary>
/// Control endpoint for tests in another process (Pester): POST {Url}_lab/faults with
/// {"api": "All|ResourceManager|Container|GkeHub|Token", "status": 429, "count": 2, "retryAfterSeconds": 1}
/// (add "retryDelaySeconds" for a google.rpc.RetryInfo in the body), {"reason": "SERVICE_DISABLED" |
/// "ACCESS_TOKEN_SCOPE_INSUFFICIENT" | "ABORTED", "count": 1}, {"disableService": true|false} (until cleared),
/// {"loseAnswer": true, "count": 1}, {"drop": true, "count": 1} or {"latencyMs": 200}; DELETE {Url}_lab/faults clears them;
/// GET {Url}_lab/requests lists the request log; DELETE {Url}_lab/requests clears it.
/// POST {Url}_lab/orgpolicy {"project", "listPolicy": {...} | null, "readDenied": bool} sets the load-balancer policy;
/// POST {Url}_lab/gkecluster {"project", "location", "name", "network", "networkProject", "privateEndpoint",
/// "privateNodes"} changes a known GKE cluster (404 when unknown).
/// </summary>
internal static class FleetControl
{
    public static async Task HandleAsync(HttpContext context, string path, FleetFaults faults, FleetServer server)
    {
        switch (context.Request.Method, path.TrimEnd('/'))
        {
            case ("POST", "/_lab/faults"):
                await AddFaultAsync(context, faults).ConfigureAwait(false);
                break;
            case ("DELETE", "/_lab/faults"):
                faults.Clear();
                context.Response.StatusCode = 204;
                break;
            case ("POST", "/_lab/orgpolicy"):
            case ("POST", "/_lab/gkecluster"):
                await SetAsync(context, path.TrimEnd('/'), server).ConfigureAwait(false);
                break;
            case ("GET", "/_lab/requests"):
                var log = new JsonArray(server.RequestLog.Select(r => (JsonNode)new JsonObject
                {
                    ["time"] = r.Time.ToString("O"),
                    ["api"] = r.Api.ToString(),
                    ["method"] = r.Method,
                    ["path"] = r.Path,
                    ["status"] = r.Status,
                    ["faulted"] = r.Faulted,
                }).ToArray());
                await GoogleErrors.WriteJsonAsync(context, 200, log).ConfigureAwait(false);
                break;
            case ("DELETE", "/_lab/requests"):
                server.ClearRequestLog();
                context.Response.StatusCode = 204;
                break;
            default:
                await GoogleErrors.WriteAsync(context, 404, "Unknown lab control path.").ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The request's JSON object, or null when the body is not one (the caller answers 400).</summary>
    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body,
                cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task SetAsync(HttpContext context, string path, FleetServer server)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);

        if (body?["project"] is not JsonValue projectValue || (string?)projectValue is not { Length: > 0 } project)
        {
            await GoogleErrors.WriteAsync(context, 400, "Expected a JSON object with 'project'.").ConfigureAwait(false);
            return;
        }

        if (path == "/_lab/orgpolicy")
        {
            server.SetLoadBalancerPolicy(project, body["listPolicy"] as JsonObject, (bool?)body["readDenied"] ?? false);
        }
        else if (!server.UpdateGkeCluster(project, (string?)body["location"] ?? "", (string?)body["name"] ?? "",
                     (string?)body["network"], (string?)body["networkProject"], (bool?)body["privateEndpoint"], (bool?)body["privateNodes"]))
        {
            await GoogleErrors.WriteAsync(context, 404, "No such GKE cluster in the lab fleet.").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 204;
    }

    private static async Task AddFaultAsync(HttpContext context, FleetFaults faults)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);

        if (body is null ||
            !Enum.TryParse<FleetApi>((string?)body["api"] ?? "All", ignoreCase: true, out var api))
        {
            await GoogleErrors.WriteAsync(context, 400, "Expected a JSON object with a valid 'api'.").ConfigureAwait(false);
            return;
        }

        var count = (int?)body["count"] ?? 1;
        if (body["latencyMs"] is { } latency)
        {
            faults.SetLatency((int)latency, api);
        }

        var retryDelay = body["retryDelaySeconds"] is { } delay ? TimeSpan.FromSeconds((double)delay) : (TimeSpan?)null;
        if (body["disableService"] is { } disable)
        {
            if ((bool)disable)
            {
                faults.DisableService(api);
            }
            else
            {
                faults.EnableService(api);
            }
        }
        else if ((bool?)body["loseAnswer"] == true)
        {
            faults.LoseAnswers(count, api);
        }
        else if ((string?)body["reason"] is { Length: > 0 } reason)
        {
            faults.FailWithReason(reason, count, api, retryDelay);
        }
        else if ((bool?)body["drop"] == true)
        {
            faults.DropConnections(count, api);
        }
        else if (body["status"] is { } status)
        {
            var retryAfter = body["retryAfterSeconds"] is { } seconds ? TimeSpan.FromSeconds((double)seconds) : (TimeSpan?)null;
            if (retryDelay is { } info)
            {
                faults.FailWithRetryInfo((int)status, count, info, api);
            }
            else
            {
                faults.FailWithStatus((int)status, count, api, retryAfter);
            }
        }

        context.Response.StatusCode = 204;
    }
}
