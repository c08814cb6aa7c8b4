using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Presets;
using HybridMesh.Lab.Api;
using HybridMesh.Lab.Faults;
using HybridMesh.Lab.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Control;

/// <summary>
/// Plain-HTTP control API on 127.0.0.1 for out-of-process users (Pester, demo, bench):
/// GET /clusters; GET|DELETE /clusters/{name}/requests; POST|DELETE /clusters/{name}/faults (API and mesh faults);
/// POST /clusters/{name}/loadbalancer; GET|POST|DELETE /clusters/{name}/objects.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private readonly LabHost _lab;
    private WebApplication? _app;

    private ControlServer(LabHost lab) => _lab = lab;

    public string Url { get; private set; } = "";

    public static async Task<ControlServer> StartAsync(LabHost lab, CancellationToken ct)
    {
        var server = new ControlServer(lab);
        var (app, port) = await ClusterServer.StartAsync(null, server.HandleAsync, ct);
        server._app = app;
        server.Url = $"http://127.0.0.1:{port}";
        return server;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var segs = (ctx.Request.Path.Value ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segs is ["clusters"] && ctx.Request.Method == "GET")
            {
                await Json(ctx, 200, new JsonArray(_lab.Clusters.Select(c => (JsonNode?)new JsonObject
                {
                    ["name"] = c.Name, ["context"] = c.Context, ["kubeconfig"] = c.KubeconfigPath, ["server"] = c.Server,
                    ["platform"] = c.Platform.ToString(), ["clusterId"] = c.ClusterId,
                }).ToArray()));
                return;
            }
            if (segs is ["requests"])
            {
                // Request counts summed over every cluster (bench/scale.ps1: requests per link, writes of a re-run).
                if (ctx.Request.Method == "DELETE")
                {
                    foreach (var c in _lab.Clusters) c.RequestLog.Clear();
                    ctx.Response.StatusCode = 204;
                    return;
                }
                await Json(ctx, 200, new JsonObject
                {
                    ["total"] = _lab.Clusters.Sum(c => c.RequestLog.Total),
                    ["writes"] = _lab.Clusters.Sum(c => c.RequestLog.Writes),
                });
                return;
            }
            if (segs.Length != 3 || segs[0] != "clusters")
            {
                await Json(ctx, 404, new JsonObject { ["error"] = "not found" });
                return;
            }
            var cluster = _lab.Clusters.FirstOrDefault(c => c.Name == segs[1] || c.Context == segs[1]);
            if (cluster is null)
            {
                await Json(ctx, 404, new JsonObject { ["error"] = $"no cluster {segs[1]}" });
                return;
            }
            var body = await ReadJson(ctx);
            switch (segs[2], ctx.Request.Method)
            {
                case ("requests", "GET"):
                    await Json(ctx, 200, new JsonArray(cluster.RequestLog.Entries.Select(e => (JsonNode?)new JsonObject
                    {
                        ["time"] = KubeTime.Format(e.Time), ["method"] = e.Method, ["path"] = e.Path, ["query"] = e.Query,
                        ["contentType"] = e.ContentType, ["status"] = e.Status, ["userAgent"] = e.UserAgent,
                    }).ToArray()));
                    return;
                case ("requests", "DELETE"):
                    cluster.RequestLog.Clear();
                    ctx.Response.StatusCode = 204;
                    return;
                case ("faults", "POST") when body is JsonObject mesh && (string?)mesh["kind"] is "istiod-stale" or "istiod-timeout" or "partition-apiserver" or "partition-gateway" or "override-pods-only" or "image-pull":
                    await AddMeshFaultAsync(cluster, mesh);
                    ctx.Response.StatusCode = 204;
                    return;
                case ("faults", "POST"):
                    AddFault(cluster, body as JsonObject ?? throw new ArgumentException("fault body must be a JSON object"));
                    ctx.Response.StatusCode = 204;
                    return;
                case ("faults", "DELETE"):
                    cluster.ClearFaults();
                    _lab.Istiod(cluster).Clear();
                    _lab.Partitions.ClearFrom(cluster);
                    _lab.Partitions.RemovePodOnlyAddresses(cluster);
                    ctx.Response.StatusCode = 204;
                    return;
                case ("loadbalancer", "POST"):
                    var mode = (string?)body?["mode"];
                    if (mode == "never") cluster.SetLoadBalancerNever();
                    else if (mode == "delay") cluster.SetLoadBalancerDelay(TimeSpan.FromMilliseconds((int?)body?["delayMs"] ?? 0));
                    else throw new ArgumentException("mode must be \"delay\" or \"never\"");
                    ctx.Response.StatusCode = 204;
                    return;
                case ("objects", "GET"):
                    var q = ctx.Request.Query;
                    var ns = q["namespace"].ToString();
                    await Json(ctx, 200, new JsonArray(cluster.ListObjects(q["apiVersion"].ToString(), q["kind"].ToString(), ns.Length == 0 ? null : ns)
                        .Select(o => (JsonNode?)o).ToArray()));
                    return;
                case ("objects", "POST"):
                    var (code, stored) = cluster.Seeder.Upsert(body as JsonObject ?? throw new ArgumentException("object body must be a JSON object"));
                    await Json(ctx, code, stored);
                    return;
                case ("presets", "POST"):
                    // {"name":"istioctl-eastwestgateway","network":"...","revision":"..."}: what istioctl installs.
                    var preset = (string?)body?["name"];
                    if (preset != IstioctlGatewayPreset.Name) throw new ArgumentException($"preset must be \"{IstioctlGatewayPreset.Name}\"");
                    var network = (string?)body?["network"] ?? cluster.GetObject("v1", "Namespace", null, "istio-system")?["metadata"]?["labels"]?["topology.istio.io/network"]?.GetValue<string>()
                                  ?? throw new ArgumentException("istio-system has no network label: pass \"network\"");
                    var revision = (string?)body?["revision"] ?? cluster.Options.Revisions.FirstOrDefault();
                    var seeded = IstioctlGatewayPreset.Apply(cluster.Seeder, network, revision);
                    await Json(ctx, 200, new JsonArray(seeded.Select(o => (JsonNode?)o).ToArray()));
                    return;
                case ("objects", "DELETE"):
                    var dq = ctx.Request.Query;
                    var dns = dq["namespace"].ToString();
                    var removed = cluster.DeleteObject(dq["apiVersion"].ToString(), dq["kind"].ToString(), dns.Length == 0 ? null : dns, dq["name"].ToString());
                    ctx.Response.StatusCode = removed ? 204 : 404;
                    return;
                default:
                    await Json(ctx, 405, new JsonObject { ["error"] = "method not allowed" });
                    return;
            }
        }
        catch (KubeApiException e)
        {
            await Json(ctx, e.Code, e.Status);
        }
        catch (Exception e) when (e is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            await Json(ctx, 400, new JsonObject { ["error"] = e.Message });
        }
    }

    /// <summary>
    /// Mesh faults seen from inside the clusters (docs/design/istiod-view.md): {"kind":"istiod-stale"} (istiod keeps what
    /// it loaded), {"kind":"istiod-timeout","peer":"cluster2"} (no peer: every remote), {"kind":"partition-apiserver"|
    /// "partition-gateway","peer":"cluster2"} (pods of this cluster cannot reach the peer's API server or gateway),
    /// {"kind":"override-pods-only","server":"https://name:port"} (pods of every cluster reach this cluster's API server at
    /// that address, e.g. a VPN-only name for New-Mesh -ServerOverride; this machine cannot resolve it),
    /// {"kind":"image-pull","image":"..."} (pods created with that image stay Pending in ErrImagePull).
    /// </summary>
    private async Task AddMeshFaultAsync(LabCluster cluster, JsonObject f)
    {
        var peerName = (string?)f["peer"];
        var peer = peerName is null ? null : _lab.Clusters.FirstOrDefault(c => c.Name == peerName || c.Context == peerName)
            ?? throw new ArgumentException($"no cluster {peerName}");
        switch ((string?)f["kind"])
        {
            case "istiod-stale":
                await _lab.Istiod(cluster).FreezeSnapshotAsync();
                break;
            case "istiod-timeout":
                _lab.Istiod(cluster).ForceTimeout(peer?.ClusterId);
                break;
            case "override-pods-only":
                var server = (string?)f["server"] ?? throw new ArgumentException("override-pods-only needs \"server\": the address pods use");
                if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme != "https") throw new ArgumentException("server must be an https:// URL");
                _lab.Partitions.AddPodOnlyAddress(server, cluster);
                break;
            case "image-pull":
                cluster.FailImagePull((string?)f["image"] ?? throw new ArgumentException("image-pull needs \"image\""));
                break;
            case "partition-apiserver":
                _lab.Partitions.Add(cluster, peer ?? throw new ArgumentException("a partition needs a peer"), Mesh.PartitionTarget.ApiServer);
                break;
            default:
                _lab.Partitions.Add(cluster, peer ?? throw new ArgumentException("a partition needs a peer"), Mesh.PartitionTarget.Gateway);
                break;
        }
    }

    /// <summary>{"kind":"latency","delayMs":N} | {"kind":"status","status":429,"retryAfterSeconds":1} | {"kind":"reset"} |
    /// {"kind":"revoke"|"expire","token":"..." or "user":"admin"}; optional "count", "path", "method".</summary>
    private static void AddFault(LabCluster cluster, JsonObject f)
    {
        var kind = (string?)f["kind"] ?? throw new ArgumentException("fault needs a kind");
        int? count = (int?)f["count"];
        var path = (string?)f["path"];
        var method = (string?)f["method"];
        switch (kind)
        {
            case "latency":
                cluster.Faults.Add(new FaultRule { Kind = FaultKind.Latency, DelayMs = (int?)f["delayMs"] ?? 0, Count = count, PathContains = path, Method = method });
                break;
            case "status":
                cluster.Faults.Add(new FaultRule
                {
                    Kind = FaultKind.Status, StatusCode = (int?)f["status"] ?? 503, RetryAfterSeconds = (int?)f["retryAfterSeconds"],
                    Count = count, PathContains = path, Method = method,
                });
                break;
            case "reset":
                cluster.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = count, PathContains = path, Method = method });
                break;
            case "revoke" or "expire":
                var token = (string?)f["user"] == "admin" ? cluster.AdminToken : (string?)f["token"] ?? throw new ArgumentException("revoke needs a token or \"user\":\"admin\"");
                if (kind == "revoke") cluster.RevokeToken(token);
                else cluster.ExpireToken(token);
                break;
            default:
                throw new ArgumentException($"unknown fault kind {kind}");
        }
    }

    private static async Task<JsonNode?> ReadJson(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static Task Json(HttpContext ctx, int code, JsonNode? body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(body?.ToJsonString() ?? "null");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
