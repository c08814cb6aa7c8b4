using System.Collections.Concurrent;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests;

/// <summary>
/// The one test double for <see cref="IMeshSink"/>: records everything the Engine reports (thread safe, since the
/// Engine reports from worker threads) and answers ShouldProcess through a decision (yes by default; see
/// <see cref="Declining"/> for -WhatIf and <see cref="DecliningWhere"/> for a declined -Confirm on some changes).
/// Every proposed change is recorded in <see cref="Proposed"/> whatever the answer.
/// </summary>
public sealed class RecordingSink(Func<string, string, bool>? decide = null) : IMeshSink
{
    /// <summary>A sink that answers every ShouldProcess with <paramref name="allow"/>.</summary>
    public RecordingSink(bool allow)
        : this((_, _) => allow)
    {
    }

    /// <summary>Declines every change, as -WhatIf does.</summary>
    public static RecordingSink Declining() => new(false);

    /// <summary>Declines the changes <paramref name="decline"/> picks (by target, action), allows the others.</summary>
    public static RecordingSink DecliningWhere(Func<string, string, bool> decline) => new((target, action) => !decline(target, action));

    /// <summary>Every report in order, prefixed with its stream (VERBOSE:, WARNING:, ERROR: ...).</summary>
    public ConcurrentQueue<string> Messages { get; } = new();
    public ConcurrentQueue<string> Verboses { get; } = new();
    public ConcurrentQueue<string> Warnings { get; } = new();
    public ConcurrentQueue<MeshException> Errors { get; } = new();
    public ConcurrentQueue<(string Status, bool Completed)> ProgressRecords { get; } = new();
    /// <summary>"action: target" of every ShouldProcess call.</summary>
    public ConcurrentQueue<string> Proposed { get; } = new();

    public void Verbose(string message)
    {
        Verboses.Enqueue(message);
        Messages.Enqueue("VERBOSE: " + message);
    }

    public void Debug(string message) => Messages.Enqueue("DEBUG: " + message);

    public void Warning(string message)
    {
        Warnings.Enqueue(message);
        Messages.Enqueue("WARNING: " + message);
    }

    public void Information(string message, string[] tags) => Messages.Enqueue("INFO: " + message);

    public void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed)
    {
        ProgressRecords.Enqueue((status, completed));
        Messages.Enqueue($"PROGRESS: {activity} {status}");
    }

    public bool ShouldProcess(string target, string action)
    {
        Proposed.Enqueue($"{action}: {target}");
        return decide?.Invoke(target, action) ?? true;
    }

    public void Error(MeshException error)
    {
        Errors.Enqueue(error);
        Messages.Enqueue("ERROR: " + error.ErrorId + " " + error.Message + " " + error.RecommendedAction + " " + error.InnerException?.Message);
    }

    /// <summary>Everything a user could see, for "no token in any output" assertions.</summary>
    public string AllText => string.Join("\n", Messages);
}
