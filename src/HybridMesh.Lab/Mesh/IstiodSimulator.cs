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
public sealed class IstiodSimulator(LabHost lab, LabCluster cluster)
{
    private const string Ns = "istio-system";
    private readonly object _gate = new();
    private JsonArray? _frozen;
    private HashSet<string> _frozenPods = [];
    private readonly HashSet<string> _timeouts = new(StringComparer.Ordinal);
    private bool _timeoutAll;
    private int _answered;
    // One client (one TLS connection pool) per peer, as istiod keeps its informers' connections; the token goes per
    // request. Shared by every simulated istiod of the lab: a client per (cluster, peer) meant N² TLS handshakes in the
    // lab process, which at 100 clusters on a loaded 2-core machine outlasted the module's 10 s request timeout
    // (docs/design/scale.md). Nothing the module can observe depends on how many connections the lab keeps.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LabCluster, HttpClient> PeerClients = new();
    // A real istiod answers clusterz from memory: its informers connected when the secret appeared, and a synced
    // remote stays synced. The lab keeps each status per (kubeconfig content, partitions, token revocations, version)
    // until one of those changes, instead of asking the peer again: re-deriving every status every 30 s made the lab,
    // not the module, the cost of Test-MeshConnectivity on 20 clusters (docs/design/in-cluster-probes.md). A changed
    // secret, a partition, a revoked token or Clear() is seen at once.
    // One computation per key, shared by concurrent askers and never cancelled by them: a real istiod connects to a new
    // remote on its own, whoever asks for clusterz. Tied to the exec request, a first read that outlasted the caller's
    // timeout (20 clusters at once on a loaded 2-core machine) was thrown away and started again on every run.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string>>> _statuses = new(StringComparer.Ordinal);


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

    private async Task<JsonArray> EntriesAsync(int version, CancellationToken ct)
    {
        var list = new JsonArray();
        if (version >= 24) list.Add(Entry(cluster.ClusterId, "", "synced"));
        var remotes = new List<(string Key, string Name, Task<string> Status)>();
        foreach (var secret in cluster.ListObjects("v1", "Secret", Ns)
                     .Where(s => (string?)s["metadata"]?["labels"]?["istio/multiCluster"] == "true")
                     .OrderBy(s => (string?)s["metadata"]?["name"], StringComparer.Ordinal))
        {
            var name = $"{Ns}/{(string?)secret["metadata"]?["name"]}";
            foreach (var (key, value) in secret["data"] as JsonObject ?? [])
            {
                if (key == cluster.ClusterId) continue; // istiod ignores a remote secret for itself
                // Every remote is asked at once, as istiod's informers run side by side (each status is worked out once per secret content and shared by every asker): one after another, 99 remotes
                // with 50 ms API latency took longer than the module's 10 s request timeout (docs/design/scale.md).
                remotes.Add((key, name, StatusAsync(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "", version, ct)));
            }
        }

        await Task.WhenAll(remotes.Select(r => r.Status));
        foreach (var (key, name, status) in remotes)
        {
            list.Add(Entry(key, name, await status));
        }

        return list;
    }

    private static JsonObject Entry(string id, string secretName, string status) =>
        new() { ["id"] = id, ["secretName"] = secretName, ["syncStatus"] = status };

    private async Task<string> StatusAsync(string encoded, int version, CancellationToken ct)
    {
        var key = $"{version}|{lab.Partitions.Version}|{lab.Clusters.Sum(c => c.AuthVersion)}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(encoded)))}";
        var status = _statuses.GetOrAdd(key, _ => new Lazy<Task<string>>(() => ComputeStatusAsync(encoded, version, CancellationToken.None)));
        try
        {
            return await status.Value.WaitAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // A failed computation is not kept: the next request tries again.
            _statuses.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, status));
            throw;
        }
    }

    private async Task<string> ComputeStatusAsync(string encoded, int version, CancellationToken ct)
    {
        var unreachable = version >= 20 ? "timeout" : "syncing";
        MeshModel.RemoteKubeconfig kc;
        try { kc = MeshModel.ReadKubeconfig(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))); }
        catch (Exception ex) when (ex is FormatException or YamlDotNet.Core.YamlException or InvalidCastException) { return unreachable; }
        var peer = lab.Partitions.ResolveFromPod(lab.Clusters, kc.Server);
        if (peer is null || lab.Partitions.IsCut(cluster, peer, PartitionTarget.ApiServer)) return unreachable;
        if (kc.CaPem is { Length: > 0 } ca && !SameCertificate(ca, peer.CaCertificate)) return unreachable; // TLS handshake fails
        if (string.IsNullOrEmpty(kc.Token)) return "syncing";
        var http = PeerClients.GetValue(peer, p => p.CreateHttpClient(""));
        var answers = await Task.WhenAll(new[] { "/api/v1/services?limit=1", "/api/v1/endpoints?limit=1", "/api/v1/secrets?limit=1" }.Select(async path =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", kc.Token);
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }));
        return answers.All(ok => ok) ? "synced" : "syncing";
    }

    private static bool SameCertificate(string pem, X509Certificate2 expected)
    {
        try
        {
            using var cert = X509Certificate2.CreateFromPem(pem);
            return cert.Thumbprint == expected.Thumbprint;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
