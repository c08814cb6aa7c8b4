using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Store;

public enum StoreEventType { Added, Modified, Deleted }

/// <summary>A committed change, delivered to controllers after the store lock is released.</summary>
public sealed record StoreEvent(StoreEventType Type, string GroupResource, JsonObject? Old, JsonObject? New, long Revision);

/// <summary>
/// One cluster's objects: generic JSON, keyed by GroupResource then "namespace/name" in etcd key order, with one
/// cluster-wide resourceVersion counter (like the etcd revision). Stored objects are never mutated after commit;
/// writers build a new JsonObject, so readers may serialize a stored object without copying it.
/// </summary>
public sealed class ObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private long _revision = 1;
    private readonly List<StoreEvent> _pending = [];
    // Recent events, so a watch from a resourceVersion replays what happened since (like the watch cache).
    internal int HistoryCapacity { get; set; } = 10_000;
    private readonly Queue<StoreEvent> _history = new();
    private long _oldestRetained = 1;

    /// <summary>Raised after each committed write, outside the lock. Handlers must not block.</summary>
    public event Action<StoreEvent>? Changed;

    public long Revision { get { lock (_gate) return _revision; } }

    /// <summary>Runs <paramref name="work"/> with exclusive access; events it caused are raised afterwards.</summary>
    public T Transact<T>(Func<T> work)
    {
        List<StoreEvent> events;
        T result;
        lock (_gate)
        {
            result = work();
            events = [.. _pending];
            _pending.Clear();
        }
        foreach (var e in events) Changed?.Invoke(e);
        return result;
    }

    public void Transact(Action work) => Transact(() => { work(); return 0; });

    public static string Key(string? ns, string name) => (ns ?? "") + "/" + name;

    /// <summary>The stored object (do not mutate it), or null.</summary>
    public JsonObject? Get(string groupResource, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(groupResource, out var bucket) && bucket.TryGetValue(Key(ns, name), out var o) ? o : null;
        }
    }

    /// <summary>Stored objects of a resource, optionally in one namespace, in key order, plus the revision read.</summary>
    public (List<JsonObject> Items, long Revision) List(string groupResource, string? ns)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(groupResource, out var bucket)) return ([], _revision);
            if (ns is null) return (bucket.Values.ToList(), _revision);
            var prefix = ns + "/";
            return (bucket.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => kv.Value).ToList(), _revision);
        }
    }

    public IReadOnlyList<string> GroupResources()
    {
        lock (_gate) return _objects.Keys.ToList();
    }

    /// <summary>Stores <paramref name="obj"/> with the next resourceVersion (must run inside Transact or alone).</summary>
    public JsonObject Put(string groupResource, JsonObject obj)
    {
        // Re-parse so every stored value is JSON-backed: numbers built in code (int) would otherwise refuse a
        // (long) read, and readers must see exactly what a client would after a round trip.
        obj = (JsonObject)JsonNode.Parse(obj.ToJsonString())!;
        Materialize(obj);
        lock (_gate)
        {
            var meta = (JsonObject)obj["metadata"]!;
            var ns = (string?)meta["namespace"];
            var name = (string)meta["name"]!;
            _revision++;
            // KeyOrder.Canonical leaves a placeholder where the field belongs, so this keeps the key order
            meta["resourceVersion"] = _revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!_objects.TryGetValue(groupResource, out var bucket))
                _objects[groupResource] = bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            bucket.TryGetValue(Key(ns, name), out var old);
            bucket[Key(ns, name)] = obj;
            Record(new StoreEvent(old is null ? StoreEventType.Added : StoreEventType.Modified, groupResource, old, obj, _revision));
            return obj;
        }
    }

    private void Record(StoreEvent e)
    {
        _pending.Add(e);
        _history.Enqueue(e);
        while (_history.Count > HistoryCapacity) _oldestRetained = _history.Dequeue().Revision + 1;
    }

    /// <summary>
    /// Events after <paramref name="resourceVersion"/>, or Expired when that revision is older than what is retained
    /// (the watch then answers 410 Expired, docs/design/kube-api-answers.md §9.4). Oldest is the oldest revision a watch can still start from.
    /// </summary>
    public (List<StoreEvent> Events, bool Expired, long Oldest) Since(long resourceVersion)
    {
        lock (_gate)
        {
            if (resourceVersion + 1 < _oldestRetained) return ([], true, _oldestRetained);
            return (_history.Where(e => e.Revision > resourceVersion).ToList(), false, _oldestRetained);
        }
    }

    /// <summary>
    /// JsonNode.Parse builds children lazily, and that first build is not thread-safe; stored objects are read by
    /// many requests at once, so every node is built before the object is published.
    /// </summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o) Materialize(v);
                break;
            case JsonArray a:
                foreach (var v in a) Materialize(v);
                break;
        }
    }

    /// <summary>Every stored object as it is now (stored objects are immutable, so this copies only the indexes).</summary>
    internal StoreCheckpoint Checkpoint()
    {
        lock (_gate)
        {
            return new StoreCheckpoint(_objects.ToDictionary(kv => kv.Key,
                kv => (IReadOnlyDictionary<string, JsonObject>)new Dictionary<string, JsonObject>(kv.Value, StringComparer.Ordinal),
                StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Puts back the objects of <paramref name="checkpoint"/>: objects created since are removed, changed or deleted
    /// ones are stored again with a new resourceVersion (the counter never goes back, as etcd's does not), untouched
    /// ones keep theirs. The changes enter the watch history, but no <see cref="Changed"/> event is raised: a reset
    /// is not a series of client writes, and the restored state is one the controllers had already settled.
    /// </summary>
    internal void Restore(StoreCheckpoint checkpoint)
    {
        lock (_gate)
        {
            foreach (var (groupResource, bucket) in _objects.ToArray())
            {
                checkpoint.Objects.TryGetValue(groupResource, out var saved);
                foreach (var key in bucket.Keys.ToArray())
                {
                    if (saved is not null && saved.ContainsKey(key)) continue;
                    var obj = bucket[key];
                    Remove(groupResource, (string?)obj["metadata"]?["namespace"], (string)obj["metadata"]!["name"]!);
                }
            }

            foreach (var (groupResource, saved) in checkpoint.Objects)
            {
                _objects.TryGetValue(groupResource, out var bucket);
                foreach (var (key, obj) in saved)
                {
                    if (bucket is not null && bucket.TryGetValue(key, out var current) && ReferenceEquals(current, obj)) continue;
                    Put(groupResource, obj);
                }
            }

            _pending.Clear();
        }
    }

    public JsonObject? Remove(string groupResource, string? ns, string name)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(groupResource, out var bucket) || !bucket.Remove(Key(ns, name), out var old)) return null;
            _revision++;
            Record(new StoreEvent(StoreEventType.Deleted, groupResource, old, null, _revision));
            return old;
        }
    }
}

/// <summary>The objects of a store at one moment (see <see cref="ObjectStore.Checkpoint"/>).</summary>
internal sealed record StoreCheckpoint(IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonObject>> Objects);
