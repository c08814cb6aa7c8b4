using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Api;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// The simulated istiod of one cluster, as far as `pilot-discovery request GET /debug/clusterz` in its `discovery`
/// container shows it (docs/design/istiod-view.md): one entry per key of every Secret labelled
/// istio/multiCluster=true in istio-system, `synced` when istiod in this cluster can list services, endpoints and
/// secrets on the cluster that kubeconfig names with its CA and token; `timeout` (1.20+) or `syncing` (older) when that
/// API server cannot be reached from this cluster's pods; `syncing` when it rejects the token (informers keep retrying).
/// Istio 1.24+ lists its own (config) cluster first with an empty secretName; older versions answer `null` with no
/// remote clusters. Faults: a frozen snapshot (secrets changed later are not reloaded) and forced `timeout` entries.
/// </summary>
public sealed class IstiodSimulator
{
    private const string Ns = "istio-system";
    private readonly LabHost lab;
    private readonly LabCluster cluster;
    private readonly object _gate = new();
    private JsonArray? _frozen;
    private HashSet<string> _frozenPods = [];
    private readonly HashSet<string> _timeouts = new(StringComparer.Ordinal);
    private bool _timeoutAll;
    private int _answered;

    /// <summary>How a remote looks to istiod's informers, whatever the Istio version calls it.</summary>
    private enum Reach { Unreachable, Rejected, Synced }

    // A real istiod keeps each remote's status current in the background (its secret controller starts informers when a
    // secret appears or changes) and answers clusterz from memory. The lab does the same: a change to a remote secret
    // in istio-system schedules a refresh (OnChange), and each status is kept per (kubeconfig content, partitions,
    // token revocations) until one of those changes; a changed partition or revocation is seen at the next ask.
    // Worked out lazily on the first ask, 62,250 statuses at 250 clusters outlasted the module's 10 s request timeout
    // (docs/design/scale.md). One computation per key, shared by concurrent askers and never cancelled by them: a
    // first read that outlasted the caller's timeout (20 clusters at once on a loaded 2-core machine) was otherwise
    // thrown away and started again on every run. An ask that finds a status still being worked out waits for it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<Reach>>> _statuses = new(StringComparer.Ordinal);

    public IstiodSimulator(LabHost lab, LabCluster cluster)
    {
        this.lab = lab;
        this.cluster = cluster;
        if (lab.Options.SimulateMeshTraffic) cluster.Changed += OnChange;
    }

    /// <summary>How many exec requests for /debug/clusterz this istiod answered (tests count the module's calls).</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>
    /// From now on the istiod pods running now answer with what they have loaded now, whatever happens to the secrets;
    /// pods started later (a rollout restart) load the secrets afresh.
    /// </summary>
    public async Task FreezeSnapshotAsync(CancellationToken ct = default)
    {
        var snapshot = await EntriesAsync(LiveVersion(), ct);
        var pods = cluster.ListObjects("v1", "Pod", Ns).Where(p => (string?)p["metadata"]?["labels"]?["app"] == "istiod")
            .Select(p => (string?)p["metadata"]?["name"] ?? "").ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            _frozen = snapshot;
            _frozenPods = pods;
        }
    }

    /// <summary>The entry for <paramref name="clusterId"/> (all remote entries when null) reports `timeout`.</summary>
    public void ForceTimeout(string? clusterId = null)
    {
        lock (_gate)
        {
            if (clusterId is null) _timeoutAll = true;
            else _timeouts.Add(clusterId);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _frozen = null;
            _frozenPods = [];
            _statuses.Clear();
            _timeouts.Clear();
            _timeoutAll = false;
        }
    }

    /// <summary>True for the command `pilot-discovery request GET /debug/clusterz` in an istiod pod's discovery container.</summary>
    public static bool Handles(LabExecRequest request) =>
        request.Command.Count >= 1 && Path.GetFileName(request.Command[0]) == "pilot-discovery" &&
        (string?)request.PodObject["metadata"]?["labels"]?["app"] == "istiod";

    public async Task<LabExecResult> HandleAsync(LabExecRequest request, CancellationToken ct)
    {
        var args = request.Command.Skip(1).ToArray();
        if (request.Container != "discovery")
            return new LabExecResult("", $"exec: \"{request.Command[0]}\": executable file not found in $PATH\n", 127);
        if (args.Length < 3 || args[0] != "request")
            return new LabExecResult("", "Error: unknown command for \"pilot-discovery\"\n", 1);
        if (args[2].Split('?')[0] != "/debug/clusterz")
            return new LabExecResult("404 page not found\n", "", 0);
        return new LabExecResult(await ClusterzAsync(request.Pod, request.PodObject, ct) + "\n");
    }

    /// <summary>
    /// The API server's pods/proxy to an istiod pod (docs/design/in-cluster-probes.md): port 15014 serves
    /// /debug/clusterz, as over exec; other istiod paths answer 404; other pods or ports: nothing listens (null).
    /// </summary>
    public async Task<LabExecResult?> ProxyAsync(LabProxyRequest request, CancellationToken ct)
    {
        if ((string?)request.PodObject["metadata"]?["labels"]?["app"] != "istiod" || request.Port != 15014) return null;
        if (request.Path.Split('?')[0] != "/debug/clusterz") return new LabExecResult("404 page not found\n", "", 404);
        return new LabExecResult(await ClusterzAsync(request.Pod, request.PodObject, ct));
    }

    private async Task<string> ClusterzAsync(string podName, JsonObject pod, CancellationToken ct)
    {
        Interlocked.Increment(ref _answered);
        var version = Version(pod);
        JsonArray entries;
        lock (_gate) entries = _frozenPods.Contains(podName) ? (JsonArray?)_frozen?.DeepClone()! : null!;
        entries ??= await EntriesAsync(version, ct);
        lock (_gate)
        {
            foreach (var e in entries.OfType<JsonObject>())
            {
                if ((string?)e["secretName"] is not { Length: > 0 }) continue;
                if (_timeoutAll || _timeouts.Contains((string?)e["id"] ?? "")) e["syncStatus"] = version >= 20 ? "timeout" : "syncing";
            }
        }

        return entries.Count == 0 && version < 24 ? "null" : entries.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private int LiveVersion() =>
        cluster.ListObjects("v1", "Pod", Ns).Where(p => (string?)p["metadata"]?["labels"]?["app"] == "istiod")
            .Select(Version).DefaultIfEmpty(28).First();

    /// <summary>Minor version of the pilot image tag (1.28.2-asm.4 → 28).</summary>
    private static int Version(JsonObject pod)
    {
        var image = (string?)(pod["spec"]?["containers"] as JsonArray)?.FirstOrDefault(c => (string?)c?["name"] == "discovery")?["image"] ?? "";
        var parts = image[(image.LastIndexOf(':') + 1)..].Split('.');
        return parts.Length >= 2 && int.TryParse(parts[1], out var minor) ? minor : 28;
    }

    /// <summary>The remote secrets stored now: (data key, "istio-system/name", kubeconfig base64), in name order.</summary>
    private IEnumerable<(string Key, string Name, string Encoded)> RemoteSecrets() =>
        cluster.StoredObjects("v1", "Secret", Ns)
            .Where(s => (string?)s["metadata"]?["labels"]?["istio/multiCluster"] == "true")
            .OrderBy(s => (string?)s["metadata"]?["name"], StringComparer.Ordinal)
            .SelectMany(secret => (secret["data"] as JsonObject ?? []).Select(kv => (
                kv.Key, $"{Ns}/{(string?)secret["metadata"]?["name"]}", kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")))
            // istiod ignores a remote secret for itself
            .Where(r => r.Key != cluster.ClusterId);

    private async Task<JsonArray> EntriesAsync(int version, CancellationToken ct)
    {
        var list = new JsonArray();
        if (version >= 24) list.Add(Entry(cluster.ClusterId, "", "synced"));
        var world = World();
        var remotes = RemoteSecrets().Select(r => (r.Key, r.Name, Status: StatusAsync(r.Encoded, world, ct))).ToArray();
        await Task.WhenAll(remotes.Select(r => r.Status));
        foreach (var (key, name, status) in remotes)
        {
            list.Add(Entry(key, name, await status switch
            {
                Reach.Synced => "synced",
                Reach.Rejected => "syncing", // informers keep retrying
                _ => version >= 20 ? "timeout" : "syncing",
            }));
        }

        return list;
    }

    /// <summary>What every status depends on besides the kubeconfig: partitions and token revocations anywhere in the lab.</summary>
    private string World() => $"{lab.Partitions.Version}|{lab.Clusters.Sum(c => c.AuthVersion)}";

    private static JsonObject Entry(string id, string secretName, string status) =>
        new() { ["id"] = id, ["secretName"] = secretName, ["syncStatus"] = status };

    private static string Key(string world, string encoded) =>
        $"{world}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(encoded)))}";

    private async Task<Reach> StatusAsync(string encoded, string world, CancellationToken ct)
    {
        var key = Key(world, encoded);
        var status = _statuses.GetOrAdd(key, _ => new Lazy<Task<Reach>>(() => ComputeStatusAsync(key, encoded)));
        try
        {
            return await status.Value.WaitAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // A failed computation is not kept: the next request tries again.
            _statuses.TryRemove(new KeyValuePair<string, Lazy<Task<Reach>>>(key, status));
            throw;
        }
    }

    /// <summary>A remote secret of this cluster was written or deleted: bring its status up to date in the background.</summary>
    private void OnChange(Store.StoreEvent e)
    {
        if (e.GroupResource != "secrets" || (string?)(e.New ?? e.Old)?["metadata"]?["namespace"] != Ns ||
            (!IsRemote(e.New) && !IsRemote(e.Old))) return;
        // Only the changed secret is looked at (a controller's work queue, drained by one task per istiod): a refresh
        // of every secret per change made New-Mesh's 62,250 writes cost the lab tens of CPU seconds at 250 clusters.
        _changes.Enqueue((e.Old, e.New));
        if (Interlocked.Exchange(ref _draining, 1) == 0) _ = Task.Run(DrainAsync);
    }

    private static bool IsRemote(JsonObject? secret) => (string?)secret?["metadata"]?["labels"]?["istio/multiCluster"] == "true";

    private readonly System.Collections.Concurrent.ConcurrentQueue<(JsonObject? Old, JsonObject? New)> _changes = new();
    private int _draining;

    private async Task DrainAsync()
    {
        while (true)
        {
            var work = new List<Task>();
            var world = World();
            while (_changes.TryDequeue(out var change))
            {
                var current = Contents(change.New).ToHashSet(StringComparer.Ordinal);
                // A content no secret holds any more: its status is dropped (a real istiod stops those informers).
                foreach (var gone in Contents(change.Old).Where(c => !current.Contains(c))) _statuses.TryRemove(Key(world, gone), out _);
                work.AddRange(current.Select(encoded => StatusAsync(encoded, world, CancellationToken.None)));
            }

            try
            {
                await Task.WhenAll(work);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or ObjectDisposedException)
            {
                // The next ask tries again, as informers retry.
            }

            Volatile.Write(ref _draining, 0);
            // A change queued after the last dequeue but before the flag was cleared is drained by this task.
            if (_changes.IsEmpty || Interlocked.Exchange(ref _draining, 1) == 1) return;
        }
    }

    /// <summary>The kubeconfigs a remote secret holds for peers (not for this cluster itself).</summary>
    private IEnumerable<string> Contents(JsonObject? secret) =>
        IsRemote(secret)
            ? (secret!["data"] as JsonObject ?? []).Where(kv => kv.Key != cluster.ClusterId)
                .Select(kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")
            : [];

    private async Task<Reach> ComputeStatusAsync(string key, string encoded)
    {
        var (peer, reach) = await SharedStatusAsync(key, encoded);
        // Only the asking cluster's own network path differs between the istiods that hold the same kubeconfig.
        return peer is not null && lab.Partitions.IsCut(cluster, peer, PartitionTarget.ApiServer) ? Reach.Unreachable : reach;
    }

    // What does not depend on which istiod asks (the peer the kubeconfig reaches from pods, its CA, whether the token may
    // list), per lab, world and content: N−1 istiods hold each kubeconfig, so decoding and judging it once per content
    // instead of once per holder took most of the simulator's cost out of New-Mesh's 62,250 writes (docs/design/scale.md).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LabHost,
        System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<(LabCluster? Peer, Reach Reach)>>>> Shared = new();

    private async Task<(LabCluster? Peer, Reach Reach)> SharedStatusAsync(string key, string encoded)
    {
        var shared = Shared.GetValue(lab, _ => new(StringComparer.Ordinal));
        if (shared.Count >= 65536) shared.Clear();
        var status = shared.GetOrAdd(key, _ => new Lazy<Task<(LabCluster?, Reach)>>(() => JudgeAsync(encoded)));
        try
        {
            return await status.Value;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            shared.TryRemove(new KeyValuePair<string, Lazy<Task<(LabCluster?, Reach)>>>(key, status));
            throw;
        }
    }

    private async Task<(LabCluster? Peer, Reach Reach)> JudgeAsync(string encoded)
    {
        MeshModel.RemoteKubeconfig kc;
        try { kc = MeshModel.ReadKubeconfig(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))); }
        catch (Exception ex) when (ex is FormatException or YamlDotNet.Core.YamlException or InvalidCastException) { return (null, Reach.Unreachable); }
        var peer = lab.Partitions.ResolveFromPod(lab.Clusters, kc.Server);
        if (peer is null) return (null, Reach.Unreachable);
        if (kc.CaPem is { Length: > 0 } ca && !SameCertificate(ca, peer.CaCertificate)) return (peer, Reach.Unreachable); // TLS handshake fails
        if (string.IsNullOrEmpty(kc.Token)) return (peer, Reach.Rejected);
        return (peer, await PeerListAccess.CanListAsync(peer, kc.Token, CancellationToken.None) ? Reach.Synced : Reach.Rejected);
    }

    // Thumbprint per CA PEM: every holder of a peer's secret carries the same CA, so it is parsed once, not per status.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Thumbprints = new(StringComparer.Ordinal);

    private static bool SameCertificate(string pem, X509Certificate2 expected)
    {
        if (!Thumbprints.TryGetValue(pem, out var thumbprint))
        {
            try
            {
                using var cert = X509Certificate2.CreateFromPem(pem);
                thumbprint = cert.Thumbprint;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                thumbprint = "";
            }

            if (Thumbprints.Count >= 4096) Thumbprints.Clear();
            Thumbprints[pem] = thumbprint;
        }

        return thumbprint == expected.Thumbprint;
    }
}
