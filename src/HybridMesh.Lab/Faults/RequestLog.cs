namespace HybridMesh.Lab.Faults;

/// <summary>One answered (or aborted: Status 0) API request.</summary>
public sealed record RequestLogEntry(DateTimeOffset Time, string Method, string Path, string Query, string? ContentType, int Status, string? UserAgent);

/// <summary>Per-cluster request log that tests read and clear (bounded, oldest dropped first).</summary>
public sealed class RequestLog
{
    private const int Capacity = 10_000;
    private readonly object _gate = new();
    private readonly Queue<RequestLogEntry> _entries = new();
    private long _total;
    private long _writes;

    /// <summary>Requests since the last <see cref="Clear"/>, also those the bounded log has dropped (benchmarks count them).</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Of <see cref="Total"/>, the requests that may change stored objects: not GET or HEAD, and not an access
    /// or token review (a POST that stores nothing).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public void Add(RequestLogEntry e)
    {
        Interlocked.Increment(ref _total);
        if (e.Method is not ("GET" or "HEAD") && !IsReview(e.Path)) Interlocked.Increment(ref _writes);
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

    private static bool IsReview(string path) =>
        path.StartsWith("/apis/authorization.k8s.io/", StringComparison.Ordinal) ||
        path.StartsWith("/apis/authentication.k8s.io/", StringComparison.Ordinal);

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _total, 0);
            Interlocked.Exchange(ref _writes, 0);
        }
    }
}
