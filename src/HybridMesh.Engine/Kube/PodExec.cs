using System.Net.WebSockets;
using System.Text;
using k8s;
using k8s.Models;

namespace HybridMesh.Engine.Kube;

/// <summary>What a command run through pods/exec printed, and its exit code.</summary>
internal sealed record PodExecResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// pods/exec without KubernetesClient's stream demuxer (docs/design/in-cluster-probes.md, "The cost"): the demuxer's
/// streams block a thread-pool thread on every read until data arrives, so 20 clusters' probe and istiod execs at
/// once held some 80 pool threads and starved everything else on a 2-core machine. Here the WebSocket frames are
/// read asynchronously (v4.channel.k8s.io: first byte 1 stdout, 2 stderr, 3 the final Status) and the exit code comes
/// from that Status exactly as NamespacedPodExecAsync decides it. The handshake is the client's own, so failures
/// (403, 500 "when 101 was expected", TLS) surface as the same exceptions as before.
/// </summary>
internal static class PodExec
{
    private const byte StdOut = 1;
    private const byte StdErr = 2;
    private const byte Error = 3;

    public static async Task<PodExecResult> RunAsync(KubeSession session, string pod, string ns, string container,
        IEnumerable<string> command, CancellationToken ct)
    {
        using var socket = await session.Client.WebSocketNamespacedPodExecAsync(pod, ns, command, container,
            stderr: true, stdin: false, stdout: true, tty: false, cancellationToken: ct).ConfigureAwait(false);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var status = new MemoryStream();
        var buffer = new byte[16 * 1024];
        byte channel = 0;
        var first = true;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            var data = buffer.AsSpan(0, received.Count);
            if (first)
            {
                // A message may arrive in several frames: only the first carries the channel byte.
                if (data.Length == 0)
                {
                    continue;
                }

                channel = data[0];
                data = data[1..];
            }

            (channel switch { StdOut => stdout, StdErr => stderr, Error => status, _ => null })?.Write(data);
            first = received.EndOfMessage;
        }

        if (socket.State is WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
            {
                // The server closed already; the result is complete.
            }
        }

        var statusText = Encoding.UTF8.GetString(status.ToArray());
        var exit = statusText.Length == 0
            ? throw new WebSocketException($"exec into {pod} ended without a status on the error channel.")
            : Kubernetes.GetExitCodeOrThrow(KubernetesJson.Deserialize<V1Status>(statusText));
        return new PodExecResult(exit, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }
}
