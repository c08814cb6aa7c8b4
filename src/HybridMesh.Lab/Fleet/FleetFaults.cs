namespace HybridMesh.Lab.Fleet;

/// <summary>
/// Failures the fleet injects on demand: latency, a number of error answers (429 with optional Retry-After, 500,
/// 503, ErrorInfo reasons, RetryInfo), dropped connections or lost answers, for one API or all, and APIs that are
/// not enabled. Faults are consumed in the order they were added.
/// </summary>
public sealed class FleetFaults
{
    private readonly object _gate = new();
    private readonly List<Fault> _queue = [];
    private readonly Dictionary<FleetApi, int> _latency = [];
    private readonly HashSet<FleetApi> _disabled = [];

    /// <summary>Delay every answer of <paramref name="api"/> by <paramref name="milliseconds"/> (0 removes it).</summary>
    public void SetLatency(int milliseconds, FleetApi api = FleetApi.All)
    {
        lock (_gate)
        {
            _latency[api] = Math.Max(0, milliseconds);
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer 429 RESOURCE_EXHAUSTED.</summary>
    public void FailWith429(int count, TimeSpan? retryAfter = null, FleetApi api = FleetApi.All) =>
        Add(new Fault(api, count, 429, retryAfter, false));

    /// <summary>The next <paramref name="count"/> requests answer 503 UNAVAILABLE.</summary>
    public void FailWith503(int count, FleetApi api = FleetApi.All) => Add(new Fault(api, count, 503, null, false));

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> (an error status).</summary>
    public void FailWithStatus(int status, int count, FleetApi api = FleetApi.All, TimeSpan? retryAfter = null) =>
        Add(new Fault(api, count, status, retryAfter, false));

    /// <summary>The next <paramref name="count"/> requests have their connection closed without an answer.</summary>
    public void DropConnections(int count, FleetApi api = FleetApi.All) => Add(new Fault(api, count, 0, null, true));

    /// <summary>
    /// The next <paramref name="count"/> requests answer with an ErrorInfo reason, as the real APIs do:
    /// SERVICE_DISABLED and ACCESS_TOKEN_SCOPE_INSUFFICIENT (403), ABORTED (409, to be retried). A
    /// <paramref name="retryDelay"/> adds google.rpc.RetryInfo to the body (and works with any status).
    /// </summary>
    public void FailWithReason(string reason, int count, FleetApi api = FleetApi.All, TimeSpan? retryDelay = null) =>
        Add(new Fault(api, count, StatusOf(reason), null, false) { Reason = reason, RetryDelay = retryDelay });

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> with RetryInfo in the body.</summary>
    public void FailWithRetryInfo(int status, int count, TimeSpan retryDelay, FleetApi api = FleetApi.All) =>
        Add(new Fault(api, count, status, null, false) { RetryDelay = retryDelay });

    /// <summary>
    /// The next <paramref name="count"/> requests are carried out, but their answer is lost (the connection closes
    /// before it is sent): the client must retry, and a create retried with its requestId meets its own result.
    /// </summary>
    public void LoseAnswers(int count, FleetApi api = FleetApi.All) =>
        Add(new Fault(api, count, 0, null, true) { AfterDispatch = true });

    /// <summary>Until <see cref="EnableService"/>, every call to <paramref name="api"/> answers 403 SERVICE_DISABLED.</summary>
    public void DisableService(FleetApi api)
    {
        lock (_gate)
        {
            _disabled.Add(api);
        }
    }

    public void EnableService(FleetApi api)
    {
        lock (_gate)
        {
            _disabled.Remove(api);
        }
    }

    internal bool IsDisabled(FleetApi api)
    {
        lock (_gate)
        {
            return _disabled.Contains(api) || (_disabled.Contains(FleetApi.All) && api != FleetApi.Token);
        }
    }

    private static int StatusOf(string reason) => reason switch
    {
        "ABORTED" => 409,
        "RATE_LIMIT_EXCEEDED" => 429,
        _ => 403,
    };

    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
            _latency.Clear();
            _disabled.Clear();
        }
    }

    internal TimeSpan LatencyFor(FleetApi api)
    {
        lock (_gate)
        {
            var ms = _latency.GetValueOrDefault(api) + _latency.GetValueOrDefault(FleetApi.All);
            return TimeSpan.FromMilliseconds(ms);
        }
    }

    internal Fault? Take(FleetApi api)
    {
        lock (_gate)
        {
            var index = _queue.FindIndex(f => f.Api == FleetApi.All || f.Api == api);
            if (index < 0)
            {
                return null;
            }

            var fault = _queue[index];
            if (fault.Count <= 1)
            {
                _queue.RemoveAt(index);
            }
            else
            {
                _queue[index] = fault with { Count = fault.Count - 1 };
            }

            return fault;
        }
    }

    private void Add(Fault fault)
    {
        if (fault.Count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _queue.Add(fault);
        }
    }

    internal sealed record Fault(FleetApi Api, int Count, int Status, TimeSpan? RetryAfter, bool Drop)
    {
        public string? Reason { get; init; }
        public TimeSpan? RetryDelay { get; init; }
        public bool AfterDispatch { get; init; }
    }
}
