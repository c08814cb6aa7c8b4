using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// What a cluster's API server answers a pod of another cluster for a GET with a bearer token: the simulated istiod's
/// informers (services, endpoints, secrets) ask it (docs/design/istiod-view.md). Asked for real, handed to the peer's
/// own request pipeline as a probe pod's curl is (LabCluster.GetFromPodAsync: its authenticator, RBAC, faults and
/// request log), and kept per (peer, token, path) until the peer's credentials or access rules change (a
/// revoked or expired token, any write to RBAC objects, ServiceAccounts or token Secrets): every cluster of a mesh holds
/// the same reader token for a given peer, so the answer is the same whichever cluster asks. The asker's own network
/// path and CA check stay with the caller. At 250 clusters that is ~1,000 requests per check run instead of ~310,000
/// (docs/design/scale.md). A peer with an injected status or reset fault is asked every time. The probe pods' curl
/// calls do not come here: a real probe's request reaches the peer every time, and so does the lab's.
/// </summary>
internal static class PeerListAccess
{
    private static readonly string[] InformerPaths = ["/api/v1/services?limit=1", "/api/v1/endpoints?limit=1", "/api/v1/secrets?limit=1"];

    // Keyed weakly: a stopped lab's clusters and their answers go with it.
    private static readonly ConditionalWeakTable<LabCluster, Peer> Peers = new();
    // Bounded CPU: at most this many requests are in flight from every simulated pod of the process together.
    private static readonly SemaphoreSlim InFlight = new(16);

    private sealed class Peer
    {
        public readonly ConcurrentDictionary<string, Lazy<Task<int>>> Answers = new(StringComparer.Ordinal);
        public int AccessVersion;
    }

    /// <summary>True when <paramref name="token"/> may list services, endpoints and secrets on <paramref name="peer"/>.</summary>
    public static async Task<bool> CanListAsync(LabCluster peer, string token, CancellationToken ct)
    {
        var codes = await Task.WhenAll(InformerPaths.Select(path => StatusAsync(peer, token, path, ct)));
        return codes.All(code => code is >= 200 and < 300);
    }

    /// <summary>The HTTP status <paramref name="peer"/> answers GET <paramref name="path"/> with the token (none when empty).</summary>
    public static async Task<int> StatusAsync(LabCluster peer, string? token, string path, CancellationToken ct)
    {
        // An injected status or reset fault changes answers from one request to the next: those go out every time.
        if (peer.Faults.Active.Any(rule => rule.Kind != Faults.FaultKind.Latency)) return await GetAsync(peer, token, path).WaitAsync(ct);
        var state = Peers.GetValue(peer, Watch);
        // Never the token itself as a key.
        var hash = string.IsNullOrEmpty(token) ? "-" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var key = $"{peer.AuthVersion}|{Volatile.Read(ref state.AccessVersion)}|{hash}|{path}";
        var answer = state.Answers.GetOrAdd(key, _ => new Lazy<Task<int>>(() => GetAsync(peer, token, path)));
        try
        {
            return await answer.Value.WaitAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // A failed attempt is not kept: the next ask tries again.
            state.Answers.TryRemove(new KeyValuePair<string, Lazy<Task<int>>>(key, answer));
            throw;
        }
    }

    private static Peer Watch(LabCluster peer)
    {
        var state = new Peer();
        peer.Changed += e =>
        {
            if (e.GroupResource.EndsWith(".rbac.authorization.k8s.io", StringComparison.Ordinal) || e.GroupResource == "serviceaccounts" ||
                (e.GroupResource == "secrets" && ((string?)(e.New ?? e.Old)?["type"] == "kubernetes.io/service-account-token")))
            {
                Interlocked.Increment(ref state.AccessVersion);
            }
        };
        return state;
    }

    // Not cancelled by any asker: like istiod's informers, the request runs whoever waits for it.
    private static async Task<int> GetAsync(LabCluster peer, string? token, string path)
    {
        await InFlight.WaitAsync();
        try
        {
            // The same hand-over as a probe pod's curl: the peer's own pipeline (faults, authentication, RBAC, request log).
            return await peer.GetFromPodAsync(path, token, CancellationToken.None)
                   ?? throw new HttpRequestException($"{peer.Name} reset the connection");
        }
        finally
        {
            InFlight.Release();
        }
    }
}
