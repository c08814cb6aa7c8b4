using System.Collections.Concurrent;
using System.Management.Automation;
using HybridMesh.Models;
using HybridMesh.Engine;

namespace HybridMesh.Internal;

/// <summary>
/// Base of every HybridMesh cmdlet. Runs Engine work off the pipeline thread and pumps its writes back
/// (Write* and ShouldProcess are only legal on the pipeline thread), ties Ctrl+C to a CancellationToken, and turns
/// <see cref="MeshException"/> into ErrorRecords with a stable id, category, target and recommended action.
/// </summary>
public abstract class MeshCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Run Engine work on a worker thread while this (pipeline) thread performs what it asks for.</summary>
    protected T RunEngine<T>(Func<IMeshSink, CancellationToken, Task<T>> work)
    {
        using var inbox = new BlockingCollection<Action>();
        // What the Kubernetes reads share (list strings, parsed remote-secret kubeconfigs: tokens among them) lives as
        // long as this run and no longer (docs/design/scale.md, "One scope per run"); the worker task below inherits it.
        using var run = Engine.Kube.KubeRun.Begin();
        var sink = new PumpSink(inbox, this, _stop.Token, ConsentMode.AlwaysYes(this));
        var job = Task.Run(() => work(sink, _stop.Token), _stop.Token);
        job.ContinueWith(_ => inbox.CompleteAdding(), TaskScheduler.Default);
        foreach (var write in inbox.GetConsumingEnumerable())
        {
            write();
        }

        try
        {
            return job.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    protected void RunEngine(Func<IMeshSink, CancellationToken, Task> work) =>
        RunEngine<bool>(async (sink, token) =>
        {
            await work(sink, token).ConfigureAwait(false);
            return true;
        });

    /// <summary>A failure of one target; the cmdlet goes on with the others.</summary>
    internal void WriteMeshError(MeshException error) => WriteError(ToErrorRecord(error));

    /// <summary>A failure after which nothing can proceed.</summary>
    protected void ThrowMeshError(MeshException error) => ThrowTerminatingError(ToErrorRecord(error));

    internal void WriteMeshProgress(int activityId, int parentId, string activity, string status, int percent,
        bool completed)
    {
        var record = new ProgressRecord(activityId, activity, string.IsNullOrEmpty(status) ? " " : status)
        {
            ParentActivityId = parentId,
            PercentComplete = percent,
            RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        WriteProgress(record);
    }

    internal static ErrorRecord ToErrorRecord(MeshException error)
    {
        var record = new ErrorRecord(error, "HybridMesh." + error.ErrorId, Map(error.Category), error.Target)
        {
            ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = error.RecommendedAction },
        };
        return record;
    }

    private static ErrorCategory Map(MeshErrorCategory category) => category switch
    {
        MeshErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        MeshErrorCategory.InvalidData => ErrorCategory.InvalidData,
        MeshErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        MeshErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
        MeshErrorCategory.AuthenticationError => ErrorCategory.AuthenticationError,
        MeshErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
        MeshErrorCategory.OperationTimeout => ErrorCategory.OperationTimeout,
        MeshErrorCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        MeshErrorCategory.InvalidOperation => ErrorCategory.InvalidOperation,
        MeshErrorCategory.ResourceExists => ErrorCategory.ResourceExists,
        MeshErrorCategory.NotInstalled => ErrorCategory.NotInstalled,
        MeshErrorCategory.InvalidResult => ErrorCategory.InvalidResult,
        MeshErrorCategory.WriteError => ErrorCategory.WriteError,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// A hashtable parameter (-Network, -ServerOverride, -ServiceAnnotation) as a string map for the Engine, which
    /// must not see PowerShell types. Keys and values are unwrapped from PSObject; empty values are passed on so the
    /// Engine can report them with its own error id.
    /// </summary>
    protected static Dictionary<string, string> ToStringMap(System.Collections.Hashtable? table)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in table ?? new System.Collections.Hashtable())
        {
            result[Unwrap(entry.Key)?.ToString() ?? ""] = Unwrap(entry.Value)?.ToString() ?? "";
        }

        return result;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    /// <summary>
    /// -Kubeconfig values as absolute paths. A value may hold several files joined with the OS path separator (as in
    /// $env:KUBECONFIG), which is how a MeshCluster's Kubeconfig exports to CSV (docs/design/cluster-picking.md).
    /// </summary>
    protected string[] ResolveKubeconfigPaths(IEnumerable<string> values) => values
        .Where(v => !string.IsNullOrWhiteSpace(v))
        .SelectMany(v => KubeconfigList.Split(v))
        .Select(ResolvePath)
        .ToArray();

    /// <summary>Resolve a user path the PowerShell way (~, PSDrives, relative to the current location).</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
