using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Api;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Faults;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Server;

/// <summary>
/// One request through a simulated API server: faults, authentication (401), authorization (403), then discovery,
/// OpenAPI, watch or the resource handler; every answer is logged.
/// </summary>
internal sealed class ApiPipeline(ClusterRuntime rt)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ResourceHandler _resources = new(rt);
    private readonly Discovery _discovery = new(rt);
    private readonly OpenApi _openApi = new(rt);
    private readonly WatchHandler _watch = new(rt);
    private readonly ExecHandler _exec = new(rt);

    public async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? "";
        var status = 0;
        try
        {
            var (delay, fault) = rt.Faults.Next(request.Method, path + query);
            if (delay > 0) await Task.Delay(delay, ctx.RequestAborted);
            if (fault is { Kind: FaultKind.Reset })
            {
                ctx.Abort();
                return;
            }
            if (fault is { Kind: FaultKind.Status })
            {
                status = fault.StatusCode;
                await WriteFault(ctx, fault);
                return;
            }
            status = await Dispatch(ctx, path);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            rt.RequestLog.Add(new RequestLogEntry(rt.Clock.GetUtcNow(), request.Method, path, query, request.ContentType, status,
                request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null));
        }
    }

    private static Task WriteFault(HttpContext ctx, FaultRule fault)
    {
        var (reason, message) = fault.StatusCode switch
        {
            429 => ("TooManyRequests", "Too many requests, please try again later."),
            500 => ("InternalError", "Internal error occurred: injected by the lab"),
            503 => ("ServiceUnavailable", "The server is currently unable to handle the request"),
            504 => ("Timeout", "The server was unable to return a response in the time allotted"),
            _ => ("InternalError", "injected by the lab"),
        };
        JsonObject? details = null;
        if (fault.RetryAfterSeconds is { } ra)
        {
            details = new JsonObject { ["retryAfterSeconds"] = ra };
            ctx.Response.Headers["Retry-After"] = ra.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Write(ctx, new ApiResult(fault.StatusCode, KubeStatus.Failure(message, reason, fault.StatusCode, details)));
    }

    private async Task<int> Dispatch(HttpContext ctx, string path)
    {
        ApiResult result;
        try
        {
            var user = rt.Authenticator.Authenticate(ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null)
                       ?? throw KubeStatus.Unauthorized();
            var body = await ReadBody(ctx.Request);
            var query = ctx.Request.Query.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
            var req = new ApiRequest(ctx.Request.Method, path, query, ctx.Request.ContentType ?? "", ctx.Request.Headers.Accept.ToString(),
                ctx.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null, body, user);
            var target = RequestTarget.Parse(path, rt.Registry);
            if (target is null)
            {
                result = NonResource(req, path);
            }
            else
            {
                var verb = Verb(req, target);
                var attrs = new RequestAttributes(verb, true, target.Type.Group, target.Type.Plural, target.Subresource, target.Namespace, target.Name, path);
                if (!rt.Authorizer.Authorize(user, attrs).Allowed)
                    throw KubeStatus.Forbidden(user.Name, verb, target.Type.Plural, target.Subresource, target.Type.Group, target.Namespace, target.Name);
                if (target.Subresource == "exec" && target.Type.Plural == "pods")
                {
                    var answer = await _exec.HandleAsync(ctx, req, target);
                    if (answer is null) return 101;
                    await Write(ctx, answer);
                    return answer.Code;
                }
                if (target.Subresource == "proxy" && target.Type.Plural == "pods")
                {
                    var proxied = await PodProxy.HandleAsync(rt, target, ctx.RequestAborted);
                    await Write(ctx, proxied);
                    return proxied.Code;
                }
                if (verb == "watch")
                {
                    await _watch.StreamAsync(ctx, req, target);
                    return 200;
                }
                result = _resources.Handle(req, target);
            }
        }
        catch (KubeApiException e)
        {
            foreach (var (k, v) in e.Headers) ctx.Response.Headers[k] = v;
            result = new ApiResult(e.Code, e.Status);
        }
        await Write(ctx, result);
        return result.Code;
    }

    private static string Verb(ApiRequest req, RequestTarget t) => req.Method switch
    {
        "GET" when t.Name is null && req.Q("watch") is "true" or "1" => "watch",
        "GET" when t.Name is null => "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when t.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => req.Method.ToLowerInvariant(),
    };

    private ApiResult NonResource(ApiRequest req, string path)
    {
        var verb = req.Method.ToLowerInvariant();
        if (!rt.Authorizer.Authorize(req.User, new RequestAttributes(verb, false, "", "", "", null, null, path)).Allowed)
            throw KubeStatus.ForbiddenPath(req.User.Name, verb, path);
        if (path is "/version" or "/version/") return new ApiResult(200, Discovery.Version());
        if (path is "/healthz" or "/livez" or "/readyz") return new ApiResult(200, null, "text/plain; charset=utf-8", Text: "ok");
        if (path.StartsWith("/openapi/", StringComparison.Ordinal) && _openApi.Handle(path) is { } openapi) return openapi;
        if (_discovery.Handle(path, req.Accept) is { } discovery) return discovery;
        throw new KubeApiException(404, KubeStatus.Failure("the server could not find the requested resource", "NotFound", 404, new JsonObject()));
    }

    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        if (request.ContentLength == 0) return [];
        using var ms = new MemoryStream();
        await request.Body.CopyToAsync(ms);
        return ms.ToArray();
    }

    public static async Task Write(HttpContext ctx, ApiResult result)
    {
        var response = ctx.Response;
        response.StatusCode = result.Code;
        response.Headers["Audit-Id"] = Guid.NewGuid().ToString();
        if (result.Headers is null || !result.Headers.Any(h => h.Key == "Cache-Control"))
            response.Headers.CacheControl = "no-cache, private";
        if (result.Code != 401)
        {
            response.Headers["X-Kubernetes-Pf-Flowschema-Uid"] = FlowSchemaUid;
            response.Headers["X-Kubernetes-Pf-Prioritylevel-Uid"] = PriorityLevelUid;
        }
        if (result.Code == 403) response.Headers["X-Content-Type-Options"] = "nosniff";
        if (result.Headers is not null)
            foreach (var group in result.Headers.GroupBy(h => h.Key))
                response.Headers[group.Key] = new Microsoft.Extensions.Primitives.StringValues(group.Select(h => h.Value).ToArray());
        if (result.Text is not null)
        {
            response.ContentType = result.ContentType ?? "text/plain; charset=utf-8";
            await response.WriteAsync(result.Text);
            return;
        }
        response.ContentType = result.ContentType ?? "application/json";
        if (result.Body is null) return;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) result.Body.WriteTo(writer);
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private static readonly string FlowSchemaUid = Guid.NewGuid().ToString();
    private static readonly string PriorityLevelUid = Guid.NewGuid().ToString();
}
