using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Hosting;

/// <summary>
/// One process that hosts many labs, started and stopped over plain HTTP on 127.0.0.1 (<c>--serve-labs</c>):
/// POST /labs {"arguments": [lab command-line arguments, --out included]} starts a lab in this process and answers
/// where its lab.json is; DELETE /labs?out=DIR stops it; GET /labs lists them. A lab hosted here is the same
/// <see cref="LabHost"/> a lab process runs, with its own clusters, fleet and control API; only the process (and the
/// compiling of the lab's code it pays at start) is shared. The Pester suite uses one per group of test files
/// (docs/design/lab-reuse.md); the shipped Start-MeshLab keeps one process per lab.
/// </summary>
public sealed class SharedLabServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, LabHost> _labs = new(StringComparer.Ordinal);
    private readonly CancellationToken _lifetime;
    private WebApplication? _app;

    private SharedLabServer(CancellationToken lifetime) => _lifetime = lifetime;

    public string Url { get; private set; } = "";

    public int LabCount => _labs.Count;

    public static async Task<SharedLabServer> StartAsync(CancellationToken lifetime)
    {
        var server = new SharedLabServer(lifetime);
        var (app, port) = await ClusterServer.StartAsync(null, server.HandleAsync, lifetime);
        server._app = app;
        server.Url = $"http://127.0.0.1:{port}";
        return server;
    }

    /// <summary>Writes serve.json (url, process id) into the folder, whole then renamed, for the starter to poll.</summary>
    public string WriteServeJson(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "serve.json");
        var partial = path + ".partial";
        File.WriteAllText(partial, new JsonObject { ["url"] = Url, ["processId"] = Environment.ProcessId }.ToJsonString());
        File.Move(partial, path, overwrite: true);
        return path;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Path.Value?.Trim('/') != "labs")
        {
            await Json(ctx, 404, new JsonObject { ["message"] = "not found: the shared lab process serves /labs only" });
            return;
        }
        switch (ctx.Request.Method)
        {
            case "POST": await StartLabAsync(ctx); break;
            case "DELETE": await StopLabAsync(ctx); break;
            case "GET":
                await Json(ctx, 200, new JsonArray(_labs.Keys.Order(StringComparer.Ordinal).Select(k => (JsonNode?)k).ToArray()));
                break;
            default: ctx.Response.StatusCode = 405; break;
        }
    }

    private async Task StartLabAsync(HttpContext ctx)
    {
        LabCommandLine line;
        try
        {
            var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync(ctx.RequestAborted));
            var arguments = body?["arguments"]?.AsArray().Select(a => a!.GetValue<string>()).ToList()
                ?? throw new ArgumentException("the body needs \"arguments\": [...]");
            line = LabCommandLine.Parse(arguments);
            if (line.OutputDirectory is null) throw new ArgumentException("a hosted lab needs --out DIR");
            if (line.ServeLabs || line.ParentPid is not null)
                throw new ArgumentException("--serve-labs and --parent-pid belong to the shared process, not to a lab it hosts");
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or InvalidOperationException or FormatException)
        {
            await Json(ctx, 400, new JsonObject { ["message"] = ex.Message, ["usage"] = LabCommandLine.Usage });
            return;
        }
        var options = line.ToOptions();
        var key = options.OutputDirectory!;
        if (_labs.ContainsKey(key))
        {
            await AlreadyRunning(ctx, key);
            return;
        }
        // The lab lives as long as this process, not as long as the request that asked for it.
        LabHost lab;
        try
        {
            lab = await LabHost.StartAsync(options, _lifetime);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Json(ctx, 500, new JsonObject { ["message"] = $"the lab did not start: {ex.Message}" });
            return;
        }
        if (!_labs.TryAdd(key, lab))
        {
            await lab.DisposeAsync();
            await AlreadyRunning(ctx, key);
            return;
        }
        await Json(ctx, 200, new JsonObject { ["labJson"] = lab.LabJsonPath, ["controlUrl"] = lab.ControlUrl });
    }

    private async Task StopLabAsync(HttpContext ctx)
    {
        var directory = ctx.Request.Query["out"].ToString();
        if (directory.Length == 0 || !_labs.TryRemove(Path.GetFullPath(directory), out var lab))
        {
            await Json(ctx, 404, new JsonObject { ["message"] = $"no lab runs in '{directory}'" });
            return;
        }
        await lab.DisposeAsync();
        ctx.Response.StatusCode = 204;
    }

    // Answered before starting a lab in a folder that has one, and when another request won the race to it.
    private static Task AlreadyRunning(HttpContext ctx, string key) =>
        Json(ctx, 409, new JsonObject { ["message"] = $"a lab already runs in {key}" });

    private static Task Json(HttpContext ctx, int code, JsonNode body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        foreach (var key in _labs.Keys)
            if (_labs.TryRemove(key, out var lab)) await lab.DisposeAsync();
    }
}
