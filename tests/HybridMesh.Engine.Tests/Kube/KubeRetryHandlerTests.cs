using System.Diagnostics;
using System.Net;
using System.Text;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>The retry handler alone, over a scripted inner handler: which answers are retried, how often, how long.</summary>
public sealed class KubeRetryHandlerTests
{
    /// <summary>Answers with the next scripted step each time it is called (an exception step is thrown).</summary>
    private sealed class Script : HttpMessageHandler
    {
        private readonly Queue<Func<HttpResponseMessage>> _steps;

        public Script(params Func<HttpResponseMessage>[] steps) => _steps = new Queue<Func<HttpResponseMessage>>(steps);

        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            var step = _steps.Count > 1 ? _steps.Dequeue() : _steps.Peek();
            return Task.FromResult(step());
        }
    }

    private static Func<HttpResponseMessage> Status(int code, string? retryAfter = null) => () =>
    {
        var response = new HttpResponseMessage((HttpStatusCode)code) { Content = new StringContent("{}") };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    };

    private static Func<HttpResponseMessage> Throws(Exception ex) => () => throw ex;

    private static readonly KubeRetryPolicy Fast = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

    private static async Task<(HttpResponseMessage Response, int Calls)> Send(Script script, HttpRequestMessage request,
        KubeRetryPolicy? policy = null)
    {
        using var invoker = new HttpMessageInvoker(new KubeRetryHandler(policy ?? Fast) { InnerHandler = script });
        var response = await invoker.SendAsync(request, CancellationToken.None);
        return (response, script.Calls);
    }

    private static HttpRequestMessage Get() => new(HttpMethod.Get, "http://127.0.0.1/api/v1/namespaces/x");

    [Fact]
    public async Task A_429_without_Retry_After_is_retried_with_backoff()
    {
        var (response, calls) = await Send(new Script(Status(429), Status(200)), Get());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Two_503s_then_200_takes_three_attempts()
    {
        var (response, calls) = await Send(new Script(Status(503), Status(503), Status(200)), Get());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, calls);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task Other_transient_server_errors_are_retried(int status)
    {
        var (response, calls) = await Send(new Script(Status(status), Status(200)), Get());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    public async Task Client_errors_are_not_retried(int status)
    {
        var (response, calls) = await Send(new Script(Status(status), Status(200)), Get());

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_last_answer_is_returned()
    {
        var (response, calls) = await Send(new Script(Status(503)), Get());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task A_connection_reset_on_a_GET_is_retried()
    {
        var reset = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.",
            new IOException("Connection reset by peer"));

        var (response, calls) = await Send(new Script(Throws(reset), Status(200)), Get());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Repeated_resets_end_in_the_last_failure_after_the_bounded_attempts()
    {
        var script = new Script(Throws(new IOException("Connection reset by peer")));

        await Assert.ThrowsAsync<IOException>(() => Send(script, Get()));
        Assert.Equal(4, script.Calls);
    }

    [Fact]
    public async Task Server_side_apply_is_retried_but_a_POST_or_a_merge_patch_is_not()
    {
        var apply = new HttpRequestMessage(HttpMethod.Patch, "http://127.0.0.1/api/v1/namespaces/x/configmaps/y")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/apply-patch+yaml"),
        };
        var post = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/api/v1/namespaces/x/configmaps")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        var merge = new HttpRequestMessage(HttpMethod.Patch, "http://127.0.0.1/api/v1/namespaces/x/configmaps/y")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/merge-patch+json"),
        };

        Assert.Equal(2, (await Send(new Script(Status(503), Status(200)), apply)).Calls);
        Assert.Equal(1, (await Send(new Script(Status(503), Status(200)), post)).Calls);
        Assert.Equal(1, (await Send(new Script(Status(503), Status(200)), merge)).Calls);
    }

    [Fact]
    public async Task A_PUT_is_retried_only_when_marked_idempotent_by_its_resourceVersion()
    {
        var conditional = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1/api/v1/namespaces/x/configmaps/y");
        conditional.Options.Set(KubeRetryHandler.Idempotent, true);
        var unconditional = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1/api/v1/namespaces/x/configmaps/y");

        Assert.Equal(2, (await Send(new Script(Status(503), Status(200)), conditional)).Calls);
        Assert.Equal(1, (await Send(new Script(Status(503), Status(200)), unconditional)).Calls);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_even_for_a_POST_because_nothing_was_sent()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        var reset = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        HttpRequestMessage Post() => new(HttpMethod.Post, "http://127.0.0.1/api/v1/namespaces/x/configmaps")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };

        Assert.Equal(2, (await Send(new Script(Throws(refused), Status(201)), Post())).Calls);
        var script = new Script(Throws(reset), Status(201));
        await Assert.ThrowsAsync<HttpRequestException>(() => Send(script, Post()));
        Assert.Equal(1, script.Calls);
    }

    [Fact]
    public async Task Retry_After_is_honoured()
    {
        var watch = Stopwatch.StartNew();

        var (response, calls) = await Send(new Script(Status(429, "1"), Status(200)), Get());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_wait_beyond_the_budget_is_not_made_and_the_answer_is_returned_at_once()
    {
        var watch = Stopwatch.StartNew();

        var (response, calls) = await Send(new Script(Status(429, "30"), Status(200)), Get(),
            Fast with { Budget = TimeSpan.FromSeconds(2) });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, calls);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_is_capped()
    {
        var policy = new KubeRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1) };

        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.Backoff(2, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.Backoff(2, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), policy.Backoff(3, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(800), policy.Backoff(4, 1));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.Backoff(9, 1));
    }
}
