using System.Collections.Concurrent;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>
/// Verbose lines and warnings held back until it is known whether they count: the computed network of a cluster is
/// looked up while its label is still being read (docs/design/scale.md), and its messages only matter when there is
/// no label. Anything else (progress, prompts, errors) goes straight through to the inner sink.
/// </summary>
internal sealed class RecordedMessages(IMeshSink inner) : IMeshSink
{
    private readonly ConcurrentQueue<(bool Warning, string Message)> _messages = new();

    public void Verbose(string message) => _messages.Enqueue((false, message));
    public void Warning(string message) => _messages.Enqueue((true, message));
    public void Debug(string message) => inner.Debug(message);
    public void Information(string message, string[] tags) => inner.Information(message, tags);
    public void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed) =>
        inner.Progress(activityId, parentId, activity, status, percent, completed);
    public bool ShouldProcess(string target, string action) => inner.ShouldProcess(target, action);
    public void Error(MeshException error) => inner.Error(error);

    /// <summary>Writes what was held back, in order, to the inner sink.</summary>
    public void Release()
    {
        while (_messages.TryDequeue(out var entry))
        {
            if (entry.Warning)
            {
                inner.Warning(entry.Message);
            }
            else
            {
                inner.Verbose(entry.Message);
            }
        }
    }
}
