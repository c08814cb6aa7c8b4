namespace HybridMesh.Lab.Mesh;

/// <summary>What pods of one cluster may fail to reach in another cluster.</summary>
public enum PartitionTarget { ApiServer, Gateway }

/// <summary>
/// A network fault seen only from inside the clusters: pods (istiod, sidecars, probe pods) of cluster A cannot reach
/// cluster B's API server or east-west gateway, while this machine still reaches both (the lab's HTTP servers stay up).
/// Consulted by the simulated istiod and the mesh model; see docs/design/istiod-view.md.
/// </summary>
public sealed class NetworkPartitions
{
    private readonly object _gate = new();
    private readonly HashSet<(string From, string To, PartitionTarget What)> _cut = [];
    private readonly Dictionary<string, LabCluster> _podOnly = new(StringComparer.OrdinalIgnoreCase);
    private int _version;

    /// <summary>Changes whenever a partition or pod-only address is added or removed (caches key on it).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>
    /// An API server address that only pods resolve (a private DNS name or VIP behind a VPN), e.g. the address a
    /// remote secret gets from New-Mesh -ServerOverride: this machine cannot reach it, istiod in the peers can.
    /// </summary>
    public void AddPodOnlyAddress(string server, LabCluster target)
    {
        lock (_gate) _podOnly[server.TrimEnd('/')] = target;
        Interlocked.Increment(ref _version);
    }

    /// <summary>Forgets the pod-only addresses that lead to <paramref name="target"/>.</summary>
    public void RemovePodOnlyAddresses(LabCluster target)
    {
        lock (_gate)
        {
            foreach (var key in _podOnly.Where(kv => kv.Value == target).Select(kv => kv.Key).ToList()) _podOnly.Remove(key);
        }

        Interlocked.Increment(ref _version);
    }

    /// <summary>The cluster a server URL reaches from inside a pod: its real address or a pod-only one.</summary>
    public LabCluster? ResolveFromPod(IEnumerable<LabCluster> clusters, string? server)
    {
        var key = server?.TrimEnd('/') ?? "";
        var direct = clusters.FirstOrDefault(c => string.Equals(c.Server.TrimEnd('/'), key, StringComparison.OrdinalIgnoreCase));
        if (direct is not null) return direct;
        lock (_gate) return _podOnly.GetValueOrDefault(key);
    }

    public void Add(LabCluster from, LabCluster to, PartitionTarget what)
    {
        lock (_gate) _cut.Add((from.Name, to.Name, what));
        Interlocked.Increment(ref _version);
    }

    public void Clear()
    {
        lock (_gate)
        {
            _cut.Clear();
            _podOnly.Clear();
        }

        Interlocked.Increment(ref _version);
    }

    /// <summary>Removes the partitions whose pods side is <paramref name="from"/>.</summary>
    public void ClearFrom(LabCluster from)
    {
        lock (_gate) _cut.RemoveWhere(c => c.From == from.Name);
        Interlocked.Increment(ref _version);
    }

    public bool IsCut(LabCluster from, LabCluster to, PartitionTarget what)
    {
        lock (_gate) return _cut.Contains((from.Name, to.Name, what));
    }
}
