using HybridMesh.Models;

namespace HybridMesh.Engine.Kube;

/// <summary>How a <see cref="KubeSession"/> talks to its API server.</summary>
public sealed record KubeSessionOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time for one request, retries included (-RequestTimeoutSec). An unreachable server fails after about this long
    /// with ApiServerUnreachable instead of hanging.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Tries per request for retryable failures (429, 5xx, dropped connections), the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>First backoff; it doubles (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where retries (Verbose) and request lines (Debug) go. Null: nowhere.</summary>
    public IMeshSink? Sink { get; init; }
}
