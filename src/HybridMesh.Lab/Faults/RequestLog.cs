namespace HybridMesh.Lab.Faults;

/// <summary>One answered (or aborted: Status 0) API request.</summary>
public sealed record RequestLogEntry(DateTimeOffset Time, string Method, string Path, string Query, string? ContentType, int Status, string? UserAgent);

/// <summary>Per-cluster request log that tests read and clear (bounded, oldest dropped first).</summary>
public sealed class RequestLog
{
    private const int Capacity = 10_000;
    private readonly object _gate = new();
    private readonly Queue<RequestLogEntry> _entries = new();

    public void Add(RequestLogEntry e)
    {
        lock (_gate)
        {
            _entries.Enqueue(e);
            while (_entries.Count > Capacity) _entries.Dequeue();
        }
    }

    public IReadOnlyList<RequestLogEntry> Entries
    {
        get { lock (_gate) return _entries.ToList(); }
    }

    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }
}
