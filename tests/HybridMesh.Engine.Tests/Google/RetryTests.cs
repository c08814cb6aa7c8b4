using System.Diagnostics;
using HybridMesh.Engine.Google;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

public sealed class RetryTests : FleetTestBase
{
    [Fact]
    public async Task Two_429s_are_retried_then_the_answer_is_used()
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.FailWith429(2, api: FleetApi.ResourceManager);
        var sink = new RecordingSink();
        using var apis = await GoogleTestKit.ConnectAsync(Fleet, sink);

        var project = await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Assert.Equal(42424242, project.ProjectNumber);
        Assert.Equal([429, 429, 200], Fleet.RequestLog.Select(r => r.Status));
        Assert.Equal(2, sink.Messages.Count(m => m.StartsWith("VERBOSE:") && m.Contains("retrying")));
        AssertNoToken(sink.AllText);
    }

    [Fact]
    public async Task Retry_After_is_honoured()
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.FailWith429(1, retryAfter: TimeSpan.FromSeconds(1));
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);
        var clock = Stopwatch.StartNew();

        await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        // The backoff alone would wait ~20 ms; the server asked for a second.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.ElapsedMilliseconds} ms");
        var log = Fleet.RequestLog;
        Assert.Equal(2, log.Count);
        Assert.True(log[1].Time - log[0].Time >= TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task Two_503s_are_retried_then_the_answer_is_used()
    {
        Fleet.AddGkeCluster("gke-proj", "us-central1-a", "prod", "default");
        Fleet.Faults.FailWith503(2, FleetApi.Container);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var cluster = await apis.Clusters.GetClusterAsync("gke-proj", "us-central1-a", "prod", CancellationToken.None);

        Assert.Equal("default", cluster.Network);
        Assert.Equal([503, 503, 200], Fleet.RequestLog.Select(r => r.Status));
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.DropConnections(1);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var project = await apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None);

        Assert.Equal(42424242, project.ProjectNumber);
        Assert.Equal(2, Count(FleetApi.ResourceManager));
    }

    [Fact]
    public async Task Persistent_503_gives_GoogleApiUnreachable_after_the_attempt_budget()
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.FailWith503(100);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet, attempts: 3);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None));

        Assert.Equal("GoogleApiUnreachable", error.ErrorId);
        Assert.Equal(MeshErrorCategory.ConnectionError, error.Category);
        Assert.Contains("3 attempts", error.Message);
        Assert.Contains("503", error.Message);
        Assert.Equal(3, Count(FleetApi.ResourceManager));
        AssertNoToken(error.Message);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    public async Task Other_4xx_answers_are_final_after_exactly_one_request(int status)
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.FailWithStatus(status, 5);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None));

        Assert.NotEqual("GoogleApiUnreachable", error.ErrorId);
        Assert.Single(Fleet.RequestLog);
    }

    [Fact]
    public async Task A_closed_port_gives_GoogleApiUnreachable_within_a_bounded_time()
    {
        var closed = new Uri($"http://127.0.0.1:{LoopbackMetadataHost.ClosedPort()}/");
        var options = new GoogleApiOptions
        {
            AccessToken = GoogleTestKit.Secure(Fleet.AccessToken),
            ResourceManagerEndpoint = closed,
            Retry = GoogleTestKit.FastRetry(attempts: 4),
            EnvironmentReader = _ => null,
        };
        var sink = new RecordingSink();
        using var apis = await GoogleApis.ConnectAsync(options, sink, CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MeshException>(
            () => apis.Projects.GetProjectAsync("my-fleet-host", CancellationToken.None));

        Assert.Equal("GoogleApiUnreachable", error.ErrorId);
        Assert.Contains("4 attempts", error.Message);
        Assert.Equal(closed.GetLeftPart(UriPartial.Authority), error.Target);
        Assert.Equal(3, sink.Messages.Count(m => m.Contains("retrying")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        AssertNoToken(error.Message + sink.AllText);
    }

    [Fact]
    public async Task Cancellation_stops_the_retries()
    {
        Fleet.AddProject("my-fleet-host", 42424242);
        Fleet.Faults.FailWith429(1, retryAfter: TimeSpan.FromSeconds(20));
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);
        using var cancel = new CancellationTokenSource();
        var call = apis.Projects.GetProjectAsync("my-fleet-host", cancel.Token);
        // Cancelled once the first request (answered 429, retry after 20 s) has reached the fleet, not after a fixed
        // time: on a loaded machine a timer could fire before anything was sent.
        var seen = Stopwatch.StartNew();
        while (!Fleet.RequestLog.Any() && seen.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Assert.Single(Fleet.RequestLog);
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Single(Fleet.RequestLog);
    }
}

public sealed class RetryPolicyTests
{
    [Fact]
    public void Backoff_doubles_from_the_base_delay_and_stays_under_the_cap()
    {
        var options = new GoogleRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) };
        var middle = new GoogleRetryPolicy(options, () => 0.5); // jitter factor exactly 1
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(100, middle.DelayBefore(2, null, now).TotalMilliseconds, 3);
        Assert.Equal(200, middle.DelayBefore(3, null, now).TotalMilliseconds, 3);
        Assert.Equal(400, middle.DelayBefore(4, null, now).TotalMilliseconds, 3);
        Assert.Equal(500, middle.DelayBefore(9, null, now).TotalMilliseconds, 3);
    }

    [Fact]
    public void Jitter_spreads_delays_by_a_quarter_either_way()
    {
        var options = new GoogleRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(100) };
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(75, new GoogleRetryPolicy(options, () => 0.0).DelayBefore(2, null, now).TotalMilliseconds, 3);
        Assert.Equal(125, new GoogleRetryPolicy(options, () => 1.0).DelayBefore(2, null, now).TotalMilliseconds, 3);
    }

    [Fact]
    public void Retry_After_wins_over_backoff_but_is_capped()
    {
        var options = new GoogleRetryOptions { MaxRetryAfter = TimeSpan.FromSeconds(30) };
        var policy = new GoogleRetryPolicy(options, () => 0.5);
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(TimeSpan.FromSeconds(3),
            policy.DelayBefore(2, new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3)), now));
        Assert.Equal(TimeSpan.FromSeconds(30),
            policy.DelayBefore(2, new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromHours(2)), now));
        Assert.Equal(TimeSpan.FromSeconds(10),
            policy.DelayBefore(2, new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(10)), now));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(408, false)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    public void Only_quota_and_server_errors_are_transient(int status, bool transient) =>
        Assert.Equal(transient, GoogleRetryPolicy.IsTransient((System.Net.HttpStatusCode)status));
}
