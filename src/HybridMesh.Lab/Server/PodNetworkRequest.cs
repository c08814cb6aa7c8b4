using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace HybridMesh.Lab.Server;

/// <summary>
/// A request that a simulated pod sends to a lab API server (the in-cluster probe's curl calls,
/// docs/design/in-cluster-probes.md): handled by that API server's own pipeline - its faults, authentication, RBAC,
/// handler and request log, exactly as a request over the network - but handed over in-process instead of through a
/// TLS connection, HTTP client and Kestrel. What travels is the method, path, query and token; what comes back is the
/// status code, as curl reports it. The network itself (address, partitions, the server's CA) is judged by the caller
/// from the lab's network model before it asks. 380 such calls per run on 20 clusters went through the full network
/// stack in the lab's process and were most of its cost, on the machine's cores the module also uses.
/// </summary>
internal static class PodNetworkRequest
{
    /// <summary>The User-Agent of a simulated pod's curl, as a peer's request log shows it.</summary>
    public const string UserAgent = "curl/8.16.0";

    /// <summary>The HTTP status the pipeline answered with, or null when it reset the connection (a Reset fault).</summary>
    public static async Task<int?> SendAsync(Func<HttpContext, Task> pipeline, string method, string pathAndQuery, string? bearerToken,
        string host, CancellationToken ct)
    {
        var question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var lifetime = new Lifetime(ct);
        var ctx = new DefaultHttpContext();
        ctx.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        ctx.Request.Method = method;
        ctx.Request.Scheme = "https";
        ctx.Request.Host = new HostString(host);
        ctx.Request.Path = question < 0 ? pathAndQuery : pathAndQuery[..question];
        ctx.Request.QueryString = question < 0 ? QueryString.Empty : new QueryString(pathAndQuery[question..]);
        ctx.Request.Headers.Accept = "application/json, */*";
        ctx.Request.Headers.UserAgent = UserAgent;
        ctx.Request.ContentLength = 0;
        if (!string.IsNullOrEmpty(bearerToken)) ctx.Request.Headers.Authorization = "Bearer " + bearerToken;
        // curl -o /dev/null: the body is read and dropped.
        ctx.Response.Body = Stream.Null;
        await pipeline(ctx);
        ct.ThrowIfCancellationRequested();
        return lifetime.Aborted ? null : ctx.Response.StatusCode;
    }

    private sealed class Lifetime(CancellationToken ct) : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }
        public CancellationToken RequestAborted { get; set; } = ct;
        public void Abort() => Aborted = true;
    }
}
