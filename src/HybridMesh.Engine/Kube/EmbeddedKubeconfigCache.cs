using System.Collections.Concurrent;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// The remote-secret kubeconfigs parsed during one cmdlet run (<see cref="EmbeddedKubeconfig.Read"/>): each distinct
/// content is parsed once per run, however many remote secrets carry it (docs/design/scale.md). A parsed kubeconfig
/// holds its token, so, like the list readers' shared strings (<see cref="KubeListStrings"/>), the cache lives exactly
/// as long as the run: <see cref="Begin"/> makes it current for the calling flow and every task it starts
/// (MeshCmdlet.RunEngine), <see cref="Dispose"/> empties it and restores the one before. Outside any run nothing is
/// kept: every read parses.
/// </summary>
internal sealed class EmbeddedKubeconfigCache : IDisposable
{
    // A run that sees more distinct kubeconfigs than this starts over (250 clusters hold 250).
    private const int Capacity = 8192;

    private static readonly AsyncLocal<EmbeddedKubeconfigCache?> Run = new();

    private readonly ConcurrentDictionary<string, EmbeddedKubeconfig?> _byContent = new(StringComparer.Ordinal);

    // The same string instance (lists hand out one per distinct text in a run) is recognised without hashing it again.
    // Held strongly until the run ends (those strings live in the run's KubeListStrings anyway) and bounded like the
    // contents; a ConditionalWeakTable would keep its values until its containers are finalized, after the run.
    private readonly ConcurrentDictionary<string, EmbeddedKubeconfig?> _byInstance = new(ReferenceEqualityComparer.Instance);
    private readonly EmbeddedKubeconfigCache? _outer;
    private volatile bool _ended;

    private EmbeddedKubeconfigCache(EmbeddedKubeconfigCache? outer) => _outer = outer;

    /// <summary>The cache of the run this code runs in, or null outside any run.</summary>
    public static EmbeddedKubeconfigCache? Current => Run.Value;

    /// <summary>A new cache, current for this flow and every task it starts until disposed.</summary>
    public static EmbeddedKubeconfigCache Begin()
    {
        var cache = new EmbeddedKubeconfigCache(Run.Value);
        Run.Value = cache;
        return cache;
    }

    /// <summary>How many distinct contents the cache holds (tests: zero once the run ended).</summary>
    internal int Count => _byContent.Count;

    internal bool TryGetByInstance(string encoded, out EmbeddedKubeconfig? parsed)
    {
        return _byInstance.TryGetValue(encoded, out parsed);
    }

    internal bool TryGetByContent(string key, out EmbeddedKubeconfig? parsed) => _byContent.TryGetValue(key, out parsed);

    /// <summary>Keeps what <paramref name="encoded"/> (content <paramref name="key"/>) parsed to, unless the run ended.</summary>
    internal void Add(string encoded, string key, EmbeddedKubeconfig? parsed)
    {
        if (_ended)
        {
            return;
        }

        if (_byContent.Count >= Capacity || _byInstance.Count >= Capacity)
        {
            _byContent.Clear();
            _byInstance.Clear();
        }

        _byContent[key] = parsed;
        _byInstance[encoded] = parsed;
        if (_ended)
        {
            // Disposed while adding: leave nothing behind.
            _byContent.Clear();
            _byInstance.Clear();
        }
    }

    /// <summary>Empties the cache and makes the one before it current again.</summary>
    public void Dispose()
    {
        _ended = true;
        _byContent.Clear();
        _byInstance.Clear();
        if (ReferenceEquals(Run.Value, this))
        {
            Run.Value = _outer;
        }
    }
}
