using System.Net;
using System.Net.Http.Headers;

namespace HybridMesh.Engine.Google;

/// <summary>Which answers are worth another attempt, and how long to wait before it.</summary>
internal sealed class GoogleRetryPolicy
{
    private readonly GoogleRetryOptions _options;
    private readonly Func<double> _random;

    public GoogleRetryPolicy(GoogleRetryOptions options, Func<double>? random = null)
    {
        if (options.MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
        }

        _options = options;
        _random = random ?? Random.Shared.NextDouble;
    }

    public int MaxAttempts => _options.MaxAttempts;

    public TimeSpan AttemptTimeout => _options.AttemptTimeout;

    /// <summary>429 (quota) and every 5xx are transient; any other 4xx is the caller's problem and final.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>
    /// As above, and 409 ABORTED (a concurrency conflict Google asks clients to retry), which must not be confused
    /// with 409 ALREADY_EXISTS (final; docs/design/google-rest.md).
    /// </summary>
    public static bool IsTransient(HttpStatusCode status, string? googleStatus) =>
        IsTransient(status) || (status == HttpStatusCode.Conflict && googleStatus == "ABORTED");

    /// <summary>
    /// Delay before attempt <paramref name="nextAttempt"/> (2 = first retry): the server's Retry-After when it sent
    /// one (capped), else base × 2^(retry-1) capped at MaxDelay, with ±25 % jitter so that many clients hit by the
    /// same outage do not come back in lockstep.
    /// </summary>
    public TimeSpan DelayBefore(int nextAttempt, RetryConditionHeaderValue? retryAfter, DateTimeOffset now) =>
        DelayBefore(nextAttempt, retryAfter, null, now);

    /// <summary>
    /// As above; <paramref name="retryInfo"/> is the error body's google.rpc.RetryInfo.retryDelay, which wins over
    /// the Retry-After header because it is the API's own, more specific, advice.
    /// </summary>
    public TimeSpan DelayBefore(int nextAttempt, RetryConditionHeaderValue? retryAfter, TimeSpan? retryInfo,
        DateTimeOffset now)
    {
        var serverWait = retryInfo is { } info ? (info < TimeSpan.Zero ? TimeSpan.Zero : info) : ServerWait(retryAfter, now);
        if (serverWait is { } wait)
        {
            return wait > _options.MaxRetryAfter ? _options.MaxRetryAfter : wait;
        }

        var exponent = Math.Min(nextAttempt - 2, 30);
        var raw = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(raw, _options.MaxDelay.TotalMilliseconds);
        var jittered = capped * (0.75 + (0.5 * _random()));
        return TimeSpan.FromMilliseconds(jittered);
    }

    private static TimeSpan? ServerWait(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
