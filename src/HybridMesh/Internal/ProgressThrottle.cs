using System.Collections.Concurrent;
using System.Diagnostics;

namespace HybridMesh.Internal;

/// <summary>
/// Lets a progress update through at most every <see cref="Interval"/> per activity (the first always), so a run over
/// tens of thousands of links writes ~10 progress records a second instead of one per link (docs/design/scale.md).
/// "Completed" records are never throttled by the caller.
/// </summary>
internal sealed class ProgressThrottle
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<int, long> _last = new();

    public bool Due(int activityId)
    {
        var now = Stopwatch.GetTimestamp();
        var interval = (long)(Interval.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (!_last.TryGetValue(activityId, out var last))
            {
                if (_last.TryAdd(activityId, now))
                {
                    return true;
                }

                continue;
            }

            if (now - last < interval)
            {
                return false;
            }

            if (_last.TryUpdate(activityId, now, last))
            {
                return true;
            }
        }
    }
}
