using System.Collections.Concurrent;
using HybridMesh.Models;
using HybridMesh.Engine;

namespace HybridMesh.Internal;

/// <summary>
/// The sink handed to Engine work running on a worker thread. Every call becomes an action queued for the pipeline
/// thread, which <see cref="MeshCmdlet.RunEngine{T}"/> drains; ShouldProcess waits for the pipeline thread's answer.
/// </summary>
internal sealed class PumpSink : IMeshSink
{
    private readonly BlockingCollection<Action> _inbox;
    private readonly MeshCmdlet _cmdlet;
    private readonly CancellationToken _cancel;
    private readonly bool _alwaysYes;
    private readonly ProgressThrottle _progress = new();
    private volatile bool _whatIf;

    /// <summary>Made on the pipeline thread, where the cmdlet's -WhatIf state can be read.</summary>
    public PumpSink(BlockingCollection<Action> inbox, MeshCmdlet cmdlet, CancellationToken cancel, bool alwaysYes = false)
    {
        _inbox = inbox;
        _cmdlet = cmdlet;
        _cancel = cancel;
        _alwaysYes = alwaysYes;
        _whatIf = !alwaysYes && WhatIfMode.IsOn(cmdlet);
        ShowsVerbose = StreamPreference.Shows(cmdlet, "Verbose");
        ShowsDebug = StreamPreference.Shows(cmdlet, "Debug");
    }

    /// <summary>
    /// The Engine asks the sink, never a flag of its request, so -WhatIf, $WhatIfPreference and the ShouldProcess
    /// answers cannot disagree. A change ShouldProcess allowed proves the call is not a what-if run.
    /// </summary>
    public bool WhatIf => _whatIf;

    public bool ShowsVerbose { get; }

    public bool ShowsDebug { get; }

    // A message nobody will see is not handed to the pipeline thread (one closure and queue entry per request and per
    // link at fleet scale, drained there only to be dropped; docs/design/scale.md).
    public void Verbose(string message)
    {
        if (ShowsVerbose)
        {
            Post(() => _cmdlet.WriteVerbose(message));
        }
    }

    public void Debug(string message)
    {
        if (ShowsDebug)
        {
            Post(() => _cmdlet.WriteDebug(message));
        }
    }
    public void Warning(string message) => Post(() => _cmdlet.WriteWarning(message));

    public void Information(string message, string[] tags) =>
        Post(() => _cmdlet.WriteInformation(message, tags));

    public void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed)
    {
        if (!completed && !_progress.Due(activityId))
        {
            // At most ~10 updates a second per activity (ProgressThrottle): 62,250 links must not mean 62,250 records.
            return;
        }

        Post(() => _cmdlet.WriteMeshProgress(activityId, parentId, activity, status, percent, completed));
    }

    public void Error(MeshException error) => Post(() => _cmdlet.WriteMeshError(error));

    public bool ShouldProcess(string target, string action)
    {
        if (_alwaysYes)
        {
            // No -WhatIf/-Confirm in effect (ConsentMode): the pipeline thread would answer yes without asking.
            return true;
        }

        using var answered = new ManualResetEventSlim(false);
        var answer = false;
        if (!Post(() =>
            {
                try
                {
                    answer = _cmdlet.ShouldProcess(target, action);
                    if (answer)
                    {
                        _whatIf = false;
                    }
                }
                finally
                {
                    answered.Set();
                }
            }))
        {
            return false;
        }

        answered.Wait(_cancel);
        return answer;
    }

    private bool Post(Action action)
    {
        try
        {
            return _inbox.TryAdd(action);
        }
        catch (InvalidOperationException)
        {
            // The pump has finished (work that outlived its cmdlet call); nothing can be written any more.
            return false;
        }
    }
}
