namespace HybridMesh.Lab.Faults;

public enum FaultKind { Latency, Status, Reset }

/// <summary>
/// One injected fault. Count limits how many requests it hits (null = until cleared). PathContains/Method narrow it
/// to matching requests, so a test can fail only, say, the apply of one object.
/// </summary>
public sealed record FaultRule
{
    public required FaultKind Kind { get; init; }
    /// <summary>Latency to add before answering (Latency).</summary>
    public int DelayMs { get; init; }
    /// <summary>HTTP status to answer with (Status): 429, 500, 503, ...</summary>
    public int StatusCode { get; init; } = 503;
    /// <summary>Retry-After seconds for a Status fault; null sends no Retry-After (a real 429 may have none, docs/design/kube-api-answers.md §12.1).</summary>
    public int? RetryAfterSeconds { get; init; }
    public int? Count { get; init; }
    public string? PathContains { get; init; }
    public string? Method { get; init; }
}

/// <summary>Per-cluster faults, consulted at the start of every API request.</summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<(FaultRule Rule, int Remaining)> _rules = [];

    public void Add(FaultRule rule)
    {
        lock (_gate) _rules.Add((rule, rule.Count ?? int.MaxValue));
    }

    public void Clear()
    {
        lock (_gate) _rules.Clear();
    }

    public IReadOnlyList<FaultRule> Active
    {
        get { lock (_gate) return _rules.Select(r => r.Rule).ToList(); }
    }

    /// <summary>The faults that apply to this request (each consumes one of its count): total latency, then the first status/reset.</summary>
    public (int DelayMs, FaultRule? Terminal) Next(string method, string pathAndQuery)
    {
        lock (_gate)
        {
            if (_rules.Count == 0) return (0, null);
            var delay = 0;
            FaultRule? terminal = null;
            for (var i = 0; i < _rules.Count; i++)
            {
                var (rule, remaining) = _rules[i];
                if (rule.PathContains is not null && !pathAndQuery.Contains(rule.PathContains, StringComparison.Ordinal)) continue;
                if (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Kind == FaultKind.Latency) delay += rule.DelayMs;
                else if (terminal is null) terminal = rule;
                else continue;
                _rules[i] = (rule, remaining - 1);
            }
            _rules.RemoveAll(r => r.Remaining <= 0);
            return (delay, terminal);
        }
    }
}
