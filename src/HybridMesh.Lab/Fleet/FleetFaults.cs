namespace HybridMesh.Lab.Fleet;

/// <summary>
/// Failures the fleet injects on demand: latency, a number of error answers (429 with optional Retry-After, 500,
/// 503) or dropped connections, for one API or all. Faults are consumed in the order they were added.
/// </summary>
public sealed class FleetFaults
{
    private readonly object _gate = new();
    private readonly List<Fault> _queue = [];
    private readonly Dictionary<FleetApi, int> _latency = [];

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

    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
            _latency.Clear();
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

    internal sealed record Fault(FleetApi Api, int Count, int Status, TimeSpan? RetryAfter, bool Drop);
}
