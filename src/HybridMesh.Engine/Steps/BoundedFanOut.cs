using HybridMesh.Models;

namespace HybridMesh.Engine.Steps;

/// <summary>
/// Runs one piece of work per item (cluster, link, ...) concurrently, at most <c>throttleLimit</c> at a time, with a
/// progress bar that counts finished items. A <see cref="MeshException"/> from one item becomes that item's
/// non-terminating error and never stops the others; the item's result is then null. Results keep input order.
/// </summary>
internal static class BoundedFanOut
{
    public const int DefaultThrottleLimit = 8;

    public static async Task<IReadOnlyList<TResult?>> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items,
        int throttleLimit, IMeshSink sink, int activityId, string activity, Func<TItem, string> describe,
        Func<TItem, CancellationToken, Task<TResult>> work, CancellationToken cancellationToken)
        where TResult : class
    {
        using var gate = new SemaphoreSlim(Math.Max(1, throttleLimit));
        var results = new TResult?[items.Count];
        var finished = 0;
        sink.Progress(activityId, -1, activity, $"0 of {items.Count}", 0, false);

        async Task RunOne(int index)
        {
            var item = items[index];
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Off the caller's thread: opening a session may run an exec credential plugin synchronously.
                results[index] = await Task.Run(() => work(item, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (MeshException error)
            {
                sink.Error(error);
            }
            finally
            {
                gate.Release();
                var count = Interlocked.Increment(ref finished);
                sink.Progress(activityId, -1, activity, $"{describe(item)} ({count} of {items.Count})",
                    count * 100 / Math.Max(1, items.Count), false);
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, items.Count).Select(RunOne)).ConfigureAwait(false);
        }
        finally
        {
            sink.Progress(activityId, -1, activity, "done", 100, true);
        }

        return results;
    }
}
