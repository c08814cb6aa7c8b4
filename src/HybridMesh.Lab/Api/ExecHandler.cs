using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Api;

/// <summary>What a kubelet is asked to run in a container.</summary>
public sealed record LabExecRequest(string Cluster, string Namespace, string Pod, string Container, IReadOnlyList<string> Command, JsonObject PodObject);

/// <summary>A request the API server proxies to a pod's port (pods/proxy).</summary>
public sealed record LabProxyRequest(string Cluster, string Namespace, string Pod, int Port, string Path, JsonObject PodObject);

/// <summary>What the command printed and how it ended.</summary>
public sealed record LabExecResult(string Stdout, string Stderr = "", int ExitCode = 0);

/// <summary>
/// pods/exec (docs/design/kube-api-answers.md §10): the API server's checks in their observed order (pod 404, container 400, no host 400, no
/// upgrade 400), then a simulated kubelet. Without an exec handler the kubelet is unreachable, as in the recording:
/// v5.channel.k8s.io gets 101 then an empty stdout frame, a Status on the error channel and a normal close;
/// v4 only gets HTTP 500. With a handler, its output is streamed on the stdout/stderr channels and the error channel
/// carries Success or NonZeroExitCode, as a kubelet does. Stdin is not forwarded.
/// </summary>
internal sealed class ExecHandler(ClusterRuntime rt)
{
    private const string V5 = "v5.channel.k8s.io";
    private const string V4 = "v4.channel.k8s.io";

    public async Task<ApiResult?> HandleAsync(HttpContext ctx, ApiRequest req, RequestTarget t)
    {
        var pod = rt.Store.Get("pods", t.Namespace, t.Name!) ?? throw KubeStatus.NotFound("pods", "", t.Name!);
        var containers = ((pod["spec"]?["containers"] as JsonArray) ?? []).Select(c => (string?)c?["name"] ?? "").ToList();
        var container = req.Q("container");
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count != 1)
                throw KubeStatus.BadRequest($"a container name must be specified for pod {t.Name}, choose one of: [{string.Join(" ", containers)}]");
            container = containers[0];
        }
        else if (!containers.Contains(container))
            throw KubeStatus.BadRequest($"container {container} is not valid for pod {t.Name}");
        var node = (string?)pod["spec"]?["nodeName"];
        if (string.IsNullOrEmpty(node)) throw KubeStatus.BadRequest($"pod {t.Name} does not have a host assigned");
        if (!ctx.WebSockets.IsWebSocketRequest) throw KubeStatus.BadRequest("Upgrade request required");

        var offered = ctx.WebSockets.WebSocketRequestedProtocols;
        var command = ctx.Request.Query["command"].Select(c => c ?? "").ToList();
        var handler = rt.ExecHandler;
        if (handler is null)
        {
            var kubeletUrl = $"https://127.0.0.1:10250/exec/{t.Namespace}/{t.Name}/{container}?{string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c)))}&error=1&output=1";
            var dial = "dial tcp 127.0.0.1:10250: connect: connection refused";
            if (!offered.Contains(V5))
                return new ApiResult(500, KubeStatus.Failure($"error dialing backend: {dial}", null, 500));
            using var ws5 = await ctx.WebSockets.AcceptWebSocketAsync(V5);
            await Send(ws5, 1, []);
            var status = new JsonObject
            {
                ["metadata"] = new JsonObject(), ["status"] = "Failure",
                ["message"] = $"Internal error occurred: error sending request: Post \"{kubeletUrl}\": {dial}",
                ["reason"] = "InternalError",
                ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = $"error sending request: Post \"{kubeletUrl}\": {dial}" }) },
                ["code"] = 500,
            };
            await Send(ws5, 3, Encoding.UTF8.GetBytes(status.ToJsonString()));
            await ws5.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ctx.RequestAborted);
            return null;
        }

        var protocol = offered.Contains(V5) ? V5 : offered.Contains(V4) ? V4 : null;
        if (protocol is null) throw KubeStatus.BadRequest("no supported channel protocol offered (v4.channel.k8s.io, v5.channel.k8s.io)");
        var result = await handler(new LabExecRequest(rt.Name, t.Namespace!, t.Name!, container, command, (JsonObject)pod.DeepClone()), ctx.RequestAborted);
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync(protocol);
        if (req.Q("stdout") is "1" or "true" && result.Stdout.Length > 0) await Send(ws, 1, Encoding.UTF8.GetBytes(result.Stdout));
        if (req.Q("stderr") is "1" or "true" && result.Stderr.Length > 0) await Send(ws, 2, Encoding.UTF8.GetBytes(result.Stderr));
        var final = result.ExitCode == 0
            ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
            : new JsonObject
            {
                ["metadata"] = new JsonObject(), ["status"] = "Failure",
                ["message"] = $"command terminated with non-zero exit code: exit status {result.ExitCode}",
                ["reason"] = "NonZeroExitCode",
                ["details"] = new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = result.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                },
            };
        await Send(ws, 3, Encoding.UTF8.GetBytes(final.ToJsonString()));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ctx.RequestAborted);
        return null;
    }

    private static Task Send(WebSocket ws, byte channel, byte[] data)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        return ws.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);
    }
}
