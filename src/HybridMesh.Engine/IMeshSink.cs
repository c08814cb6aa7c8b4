using HybridMesh.Models;

namespace HybridMesh.Engine;

/// <summary>
/// How Engine work talks back to the cmdlet while it runs on a worker thread. The cmdlet pumps every call onto the
/// pipeline thread, where Write* and ShouldProcess are legal. Implementations must be thread safe.
/// </summary>
public interface IMeshSink
{
    void Verbose(string message);
    void Debug(string message);
    void Warning(string message);
    void Information(string message, string[] tags);

    /// <summary>Report progress. <paramref name="percent"/> -1 means unknown. <paramref name="completed"/> closes the bar.</summary>
    void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed);

    /// <summary>Ask before a change. False under -WhatIf or when the user declines; the work must then skip the change.</summary>
    bool ShouldProcess(string target, string action);

    /// <summary>
    /// True when the user asked only for the plan (-WhatIf, $WhatIfPreference): every ShouldProcess declines and
    /// shows the change. Work then also skips requests that change nothing but are not reads (a token proof is a
    /// POST), and lists through ShouldProcess the changes it cannot compute yet. Answered by the sink, not passed in
    /// by the caller, so the answer and ShouldProcess cannot disagree (docs/design/what-if.md).
    /// </summary>
    bool WhatIf => false;

    /// <summary>
    /// False when a verbose message would not be shown (no -Verbose, $VerbosePreference SilentlyContinue): work that
    /// would write one per link or per request need not build it (docs/design/scale.md). True unless the sink knows.
    /// </summary>
    bool ShowsVerbose => true;

    /// <summary>False when a debug message would not be shown; as <see cref="ShowsVerbose"/>.</summary>
    bool ShowsDebug => true;

    /// <summary>A non-terminating error for one target; the work goes on with the others.</summary>
    void Error(MeshException error);
}

/// <summary>A sink that drops everything and allows every change; for tests and for callers outside PowerShell.</summary>
internal sealed class NullMeshSink : IMeshSink
{
    public static readonly NullMeshSink Instance = new();
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public void Information(string message, string[] tags) { }
    public void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed) { }
    public bool ShouldProcess(string target, string action) => true;
    public void Error(MeshException error) { }
}
