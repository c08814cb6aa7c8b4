using System.Globalization;
using System.Text.RegularExpressions;

namespace HybridMesh.Engine.Kube;

/// <summary>What a command run through pods/exec printed, and its exit code.</summary>
internal sealed record ExecOutput(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// pods/exec (the Kubernetes exec API over WebSocket): istiod's /debug/clusterz, the in-cluster probe and the traffic
/// test's curl run a command in a pod and read what it printed (docs/design/istiod-view.md). Failures are left as
/// KubernetesClient throws them; <see cref="ExecHandshakeStatus"/> reads the HTTP status the handshake was refused
/// with, so callers outside Kube/ never name a KubernetesClient type.
/// </summary>
internal sealed partial class KubeSession
{
    internal async Task<ExecOutput> ExecAsync(string ns, string pod, string container, IReadOnlyList<string> command,
        CancellationToken cancellationToken)
    {
        // The frames are read asynchronously by PodExec (KubernetesClient's demuxer blocks a pool thread per read).
        var result = await PodExec.RunAsync(this, pod, ns, container, command, cancellationToken).ConfigureAwait(false);
        return new ExecOutput(result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>The HTTP status an exec handshake was answered with (403, 500, ...), or 0 when unknown.</summary>
    internal static int ExecHandshakeStatus(Exception ex) =>
        HandshakeStatusCode().Match(ex.Message) is { Success: true } m
            ? int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture)
            : (ex as k8s.Autorest.HttpOperationException)?.Response is { } r ? (int)r.StatusCode : 0;

    [GeneratedRegex(@"status code '(?<code>\d{3})'")]
    private static partial Regex HandshakeStatusCode();
}
