namespace HybridMesh.Engine.Kube;

/// <summary>
/// How hard <see cref="KubeRetryHandler"/> tries. Attempts are bounded and the whole call has a budget, so a sick
/// server costs at most about <see cref="Budget"/> per request, never an open-ended wait.
/// </summary>
internal sealed record KubeRetryPolicy
{
    /// <summary>Total tries, the first one included.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Backoff before the second try; doubles each time (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time for all tries of one request together. A retry whose wait would end after it is not made; the last answer
    /// (or failure) is returned instead. Null: unbounded.
    /// </summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>The wait before try number <paramref name="nextAttempt"/> (2, 3, ...): exponential, "equal jitter".</summary>
    public TimeSpan Backoff(int nextAttempt, double random)
    {
        var exponent = Math.Min(nextAttempt - 2, 20);
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        // Half fixed, half random: spreads clients that failed together without ever retrying immediately.
        return TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * random);
    }
}
