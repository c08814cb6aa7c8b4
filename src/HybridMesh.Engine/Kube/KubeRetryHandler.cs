using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Retries what is safe to retry, in the Kubernetes client's own HTTP pipeline so that every call gets it:
/// 429, 500, 502, 503, 504 and dropped connections, for idempotent requests only (GET, HEAD, DELETE, server-side
/// apply, and PUT that carries a resourceVersion, which the session marks with <see cref="Idempotent"/>).
/// A connection that could not be opened at all is retried for every method, since the request never left.
/// Retry-After is honoured when present (a real 429 often has none, see docs/design/kube-api-answers.md §12.1).
/// </summary>
internal sealed class KubeRetryHandler : DelegatingHandler
{
    /// <summary>Set by the sender to state whether repeating the request is harmless; overrides the method rules.</summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("HybridMesh.Idempotent");

    /// <summary>How many tries the last request took; the session reports it in errors.</summary>
    public static readonly HttpRequestOptionsKey<int> Attempts = new("HybridMesh.Attempts");

    private readonly KubeRetryPolicy _policy;
    private readonly Action<string>? _log;
    private readonly Func<double> _random;

    public KubeRetryHandler(KubeRetryPolicy policy, Action<string>? log = null, Func<double>? random = null)
    {
        _policy = policy;
        _log = log;
        _random = random ?? Random.Shared.NextDouble;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            request.Options.Set(Attempts, attempt);
            HttpResponseMessage? response = null;
            Exception? failure = null;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }

            var retry = response is not null
                ? IsRetryableStatus(response.StatusCode) && IsIdempotent(request)
                : IsRetryableFailure(failure!, request);
            if (retry && attempt < _policy.MaxAttempts)
            {
                var delay = RetryAfter(response) ?? _policy.Backoff(attempt + 1, _random());
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (_policy.Budget is not { } budget || elapsed + delay < budget)
                {
                    _log?.Invoke($"{request.Method} {request.RequestUri?.AbsolutePath}: " +
                                 (response is not null ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : Describe(failure!)) +
                                 $"; retrying in {delay.TotalMilliseconds:0} ms (attempt {attempt + 1} of {_policy.MaxAttempts}).");
                    response?.Dispose();
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            return response!;
        }
    }

    internal static bool IsRetryableStatus(HttpStatusCode status) => (int)status is 429 or 500 or 502 or 503 or 504;

    internal static bool IsIdempotent(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Idempotent, out var marked))
        {
            return marked;
        }

        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Delete ||
            request.Method == HttpMethod.Options)
        {
            return true;
        }

        // Server-side apply states the whole intended object: sending it twice gives the same result.
        return request.Method == HttpMethod.Patch &&
               request.Content?.Headers.ContentType?.MediaType == "application/apply-patch+yaml";
    }

    private static bool IsRetryableFailure(Exception failure, HttpRequestMessage request)
    {
        if (failure is HttpRequestException http)
        {
            switch (http.HttpRequestError)
            {
                // Refused or unresolvable: nothing reached the server, so even a POST is safe to repeat.
                case HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError:
                    return true;
                // A TLS or configuration problem does not go away by trying again.
                case HttpRequestError.SecureConnectionError or HttpRequestError.ConfigurationLimitExceeded
                    or HttpRequestError.UserAuthenticationError or HttpRequestError.ProxyTunnelError:
                    return false;
            }
        }

        // Resets and truncated answers: the request may have been applied, so only idempotent ones go again.
        return IsIdempotent(request);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not RetryConditionHeaderValue header)
        {
            return null;
        }

        var wait = header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (wait is not { } value)
        {
            return null;
        }

        return value < TimeSpan.Zero ? TimeSpan.Zero : value;
    }

    private static string Describe(Exception failure) =>
        failure is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http
            ? http.HttpRequestError.ToString()
            : failure.GetType().Name;
}
