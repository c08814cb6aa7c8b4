using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>
/// What a call is about, for error messages: the resource, and what a 404, a 409 ALREADY_EXISTS or a plain 403 (one
/// whose ErrorInfo names no more specific reason) means for it.
/// </summary>
internal sealed record GoogleCall(string Resource, Func<GoogleApiFailure, MeshException>? NotFound = null,
    Func<GoogleApiFailure, MeshException>? Conflict = null, Func<GoogleApiFailure, MeshException>? Forbidden = null);

/// <summary>
/// JSON over HTTPS to Google APIs through Google.Apis' ConfigurableHttpClient (which adds the credential and
/// refreshes an expired ADC token once on 401). Adds bounded retries with backoff on transient failures and turns
/// the error envelope into <see cref="MeshException"/>s.
/// </summary>
internal sealed class GoogleRestClient : IDisposable
{
    private readonly ConfigurableHttpClient _http;
    private readonly GoogleRetryPolicy _retry;
    private readonly IMeshSink _sink;

    public GoogleRestClient(IConfigurableHttpClientInitializer credential, GoogleRetryOptions retry, IMeshSink sink)
    {
        _retry = new GoogleRetryPolicy(retry);
        _sink = sink;
        _http = new HttpClientFactory().CreateHttpClient(new CreateHttpClientArgs
        {
            ApplicationName = "HybridMesh",
            Initializers = { credential },
        });
        // Our loop below owns retries; the handler keeps one extra try only for the credential's 401 refresh.
        _http.MessageHandler.NumTries = 2;
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public Task<JsonElement> GetAsync(Uri baseUri, string path, GoogleCall call, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, baseUri, path, null, call, cancellationToken);

    public async Task<JsonElement> SendAsync(HttpMethod method, Uri baseUri, string path, JsonNode? body,
        GoogleCall call, CancellationToken cancellationToken)
    {
        var url = new Uri(baseUri, path);
        var endpoint = baseUri.GetLeftPart(UriPartial.Authority);
        var payload = body?.ToJsonString();
        Exception? lastFailure = null;

        for (var attempt = 1; attempt <= _retry.MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_retry.AttemptTimeout);
            var clock = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                using var request = new HttpRequestMessage(method, url);
                request.Headers.Accept.ParseAdd("application/json");
                if (payload is not null)
                {
                    request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
                }

                response = await _http.SendAsync(request, attemptTimeout.Token).ConfigureAwait(false);
            }
            catch (TokenResponseException ex)
            {
                // The credential could not get a token (revoked key, wrong token_uri answer): retrying won't help.
                throw MeshErrors.AuthenticationFailed(call.Resource,
                    "the token endpoint refused the credentials: " +
                    (ex.Error?.Error ?? "error") + (ex.Error?.ErrorDescription is { } d ? " (" + d + ")" : ""));
            }
            catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
            {
                lastFailure = ex is OperationCanceledException
                    ? new TimeoutException($"No answer within {_retry.AttemptTimeout.TotalSeconds:0.#} s.", ex)
                    : ex;
                _sink.Debug($"{method} {url} failed after {clock.ElapsedMilliseconds} ms: {lastFailure.Message}");
                if (attempt < _retry.MaxAttempts)
                {
                    await WaitAsync(attempt + 1, null, null, $"could not be reached ({lastFailure.Message})", url,
                        cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                _sink.Debug($"{method} {url} -> {(int)response.StatusCode} in {clock.ElapsedMilliseconds} ms");
                if (response.IsSuccessStatusCode)
                {
                    return ParseBody(text, call);
                }

                var failure = GoogleApiFailure.Parse((int)response.StatusCode, response.ReasonPhrase, text);
                if (!GoogleRetryPolicy.IsTransient(response.StatusCode, failure.Status))
                {
                    throw Map(failure, call);
                }

                lastFailure = new HttpRequestException(
                    $"HTTP {failure.HttpStatus} {failure.Status}: {failure.Message}", null, response.StatusCode);
                if (attempt < _retry.MaxAttempts)
                {
                    await WaitAsync(attempt + 1, response.Headers.RetryAfter, failure.RetryDelay,
                        $"answered {failure.HttpStatus} {failure.Status}", url, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        throw MeshErrors.GoogleApiUnreachable(endpoint, _retry.MaxAttempts, lastFailure);
    }

    private async Task WaitAsync(int nextAttempt, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter,
        TimeSpan? retryInfo, string what, Uri url, CancellationToken cancellationToken)
    {
        var delay = _retry.DelayBefore(nextAttempt, retryAfter, retryInfo, DateTimeOffset.UtcNow);
        _sink.Verbose($"{url.GetLeftPart(UriPartial.Path)} {what}; retrying in {delay.TotalMilliseconds:0} ms " +
                      $"(attempt {nextAttempt} of {_retry.MaxAttempts}).");
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsConnectionFailure(Exception ex, CancellationToken callerToken) => ex switch
    {
        // Our per-attempt timeout fired, not the caller's cancellation.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        HttpRequestException => true,
        IOException => true,
        SocketException => true,
        _ => false,
    };

    private static JsonElement ParseBody(string text, GoogleCall call)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return JsonDocument.Parse("{}").RootElement.Clone();
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw MeshErrors.GoogleApiError(call.Resource, 200, "INVALID_RESPONSE",
                "the answer was not JSON; check the endpoint override points at a Google API.");
        }
    }

    internal static MeshException Map(GoogleApiFailure failure, GoogleCall call) => failure.HttpStatus switch
    {
        401 => MeshErrors.AuthenticationFailed(call.Resource, failure.Message),
        // ErrorInfo.reason says which of several 403s this is; each has its own fix (docs/design/google-rest.md).
        403 when failure.Reason == "SERVICE_DISABLED" => MeshErrors.GoogleServiceDisabled(call.Resource,
            failure.Meta("service") ?? ServiceOf(call.Resource), ConsumerProject(failure, call.Resource), failure.Message),
        403 when failure.Reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" =>
            MeshErrors.GoogleTokenScopeInsufficient(call.Resource, failure.Message),
        403 when call.Forbidden is not null => call.Forbidden(failure),
        403 when failure.Reason == "IAM_PERMISSION_DENIED" => MeshErrors.GoogleIamPermissionDenied(call.Resource,
            failure.Meta("permission"), failure.Message),
        403 => MeshErrors.PermissionDenied(call.Resource, failure.Message),
        404 when call.NotFound is not null => call.NotFound(failure),
        409 when call.Conflict is not null && failure.Status == "ALREADY_EXISTS" => call.Conflict(failure),
        _ => MeshErrors.GoogleApiError(call.Resource, failure.HttpStatus, failure.Status, failure.Message),
    };

    // ErrorInfo.metadata.consumer is "projects/<number or id>": the project whose API is off.
    private static string ConsumerProject(GoogleApiFailure failure, string resource)
    {
        var consumer = failure.Meta("consumer") ?? failure.Meta("containerInfo");
        if (consumer is not null)
        {
            return consumer.StartsWith("projects/", StringComparison.Ordinal) ? consumer["projects/".Length..] : consumer;
        }

        var parts = resource.Split('/');
        var index = Array.IndexOf(parts, "projects");
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : "<project>";
    }

    // Without metadata.service, the resource tells which API answered.
    private static string ServiceOf(string resource) =>
        resource.Contains("/memberships", StringComparison.Ordinal) || resource.Contains("/operations/", StringComparison.Ordinal)
            ? "gkehub.googleapis.com"
            : resource.Contains("/clusters/", StringComparison.Ordinal)
                ? "container.googleapis.com"
                : "cloudresourcemanager.googleapis.com";

    public void Dispose() => _http.Dispose();
}
