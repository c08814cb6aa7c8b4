using System.Collections.Concurrent;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// The remote-secret kubeconfigs parsed during one cmdlet run (<see cref="EmbeddedKubeconfig.Read"/>): each distinct
/// content is parsed once per run, however many remote secrets carry it (docs/design/scale.md, "One scope per run"). A
/// parsed kubeconfig holds its token, so the cache belongs to a <see cref="KubeRun"/>, which ends it
/// (<see cref="End"/>) when the run ends. Outside any run there is no cache: every read parses.
/// </summary>
internal sealed class EmbeddedKubeconfigCache
{
    // A run that sees more distinct kubeconfigs than this starts over (250 clusters hold 250).
    private const int Capacity = 8192;

    private readonly ConcurrentDictionary<string, EmbeddedKubeconfig?> _byContent = new(StringComparer.Ordinal);

    // The same string instance (lists hand out one per distinct text in a run) is recognised without hashing it again.
    // Held strongly until the run ends (those strings live in the run's KubeListStrings anyway) and bounded like the
    // contents; a ConditionalWeakTable would keep its values until its containers are finalized, after the run.
    private readonly ConcurrentDictionary<string, EmbeddedKubeconfig?> _byInstance = new(ReferenceEqualityComparer.Instance);
    private volatile bool _ended;
    private int _contentStores;

    /// <summary>How many distinct contents the cache holds (tests: zero once the run ended).</summary>
    internal int Count => _byContent.Count;

    /// <summary>How many times a parse result was stored under its content (tests: once per distinct content).</summary>
    internal int ContentStores => Volatile.Read(ref _contentStores);

    internal bool TryGetByInstance(string encoded, out EmbeddedKubeconfig? parsed) => _byInstance.TryGetValue(encoded, out parsed);

    internal bool TryGetByContent(string key, out EmbeddedKubeconfig? parsed) => _byContent.TryGetValue(key, out parsed);

    /// <summary>Keeps what <paramref name="encoded"/> (content <paramref name="key"/>) parsed to, unless the run ended.</summary>
    internal void Add(string encoded, string key, EmbeddedKubeconfig? parsed)
    {
        if (_ended)
        {
            return;
        }

        if (_byContent.Count >= Capacity)
        {
            _byContent.Clear();
        }

        _byContent[key] = parsed;
        Interlocked.Increment(ref _contentStores);
        KeepInstance(encoded, parsed);
    }

    /// <summary>
    /// Remembers another string instance of a content already kept (found by content), so that its next read is
    /// found by instance; the content entry is not stored again.
    /// </summary>
    internal void AddInstance(string encoded, EmbeddedKubeconfig? parsed)
    {
        if (!_ended)
        {
            KeepInstance(encoded, parsed);
        }
    }

    private void KeepInstance(string encoded, EmbeddedKubeconfig? parsed)
    {
        // Each map is bounded on its own: one content can be seen through several instances.
        if (_byInstance.Count >= Capacity)
        {
            _byInstance.Clear();
        }

        _byInstance[encoded] = parsed;
        if (_ended)
        {
            // Ended while adding: leave nothing behind.
            _byContent.Clear();
            _byInstance.Clear();
        }
    }

    /// <summary>Empties the cache for good (its run ended): later reads parse, and nothing is kept.</summary>
    internal void End()
    {
        _ended = true;
        _byContent.Clear();
        _byInstance.Clear();
    }
}
