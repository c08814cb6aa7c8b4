namespace HybridMesh.Engine.Kube;

/// <summary>
/// One cmdlet run's shared reading state (docs/design/scale.md, "One scope per run"): the list readers' string table
/// (<see cref="Strings"/>) and the remote-secret kubeconfigs parsed so far (<see cref="Kubeconfigs"/>). Both hold
/// kubeconfig tokens, so both live exactly as long as the run that read them, and this is the one place that decides
/// how long that is. <see cref="Begin"/> makes a new run current for the calling flow and every task it starts
/// (cmdlets: MeshCmdlet.RunEngine, whose worker task inherits it); <see cref="Dispose"/> empties both and makes the
/// run that was current before current again. Outside any run <see cref="Current"/> is null: a list answer gets a
/// run of its own for that one read (KubeListPage) and every kubeconfig read parses (EmbeddedKubeconfig.Read).
/// Nothing here is static but the flow's slot.
/// </summary>
internal sealed class KubeRun : IDisposable
{
    private static readonly AsyncLocal<KubeRun?> Flow = new();

    private readonly KubeRun? _outer;

    private KubeRun(KubeRun? outer) => _outer = outer;

    /// <summary>The run this code runs in, or null outside any run.</summary>
    public static KubeRun? Current => Flow.Value;

    /// <summary>One string per distinct text read by this run's list answers (KubeListItemReader).</summary>
    public KubeListStrings Strings { get; } = new();

    /// <summary>The remote-secret kubeconfigs this run parsed, one per distinct content.</summary>
    public EmbeddedKubeconfigCache Kubeconfigs { get; } = new();

    /// <summary>A new run, current for this flow and every task it starts until disposed.</summary>
    public static KubeRun Begin()
    {
        var run = new KubeRun(Flow.Value);
        Flow.Value = run;
        return run;
    }

    /// <summary>Empties the run's tables and makes the run before it current again: nothing read stays referenced here.</summary>
    public void Dispose()
    {
        Strings.End();
        Kubeconfigs.End();
        // Disposed out of order or from another flow: that flow's current run is left as it is.
        if (ReferenceEquals(Flow.Value, this))
        {
            Flow.Value = _outer;
        }
    }
}
