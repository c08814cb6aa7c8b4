using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Faults;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// What a cluster's API server answers a pod of another cluster for a GET with a bearer token: the simulated istiod's
/// informers (services, endpoints, secrets) and the probe pods' curl calls (/version, the service list) ask it
/// (docs/design/istiod-view.md, docs/design/in-cluster-probes.md). Asked for real, handed to the peer's own request
/// pipeline (LabCluster.GetFromPodAsync: its authenticator, RBAC, faults and request log), and the answer kept per
/// (peer, token, path) until the peer's credentials or access rules change (a revoked or expired token, a token past
/// its exp, any write to RBAC objects, ServiceAccounts or token Secrets): every cluster of a mesh holds the same reader
/// token for a given peer, so the answer is the same whichever cluster asks. The asker's own network path and CA
/// check stay with the caller. A peer with an injected status or reset fault is asked every time. At 250 clusters that
/// is ~1,000 requests per check run for the istiods instead of ~310,000, and ~500 for the probes' 186,750 curl calls,
/// each of which still costs its latency and shows in the peer's request log (docs/design/scale.md).
/// </summary>
internal static class PeerListAccess
{
    private static readonly string[] InformerPaths = ["/api/v1/services?limit=1", "/api/v1/endpoints?limit=1", "/api/v1/secrets?limit=1"];

    // Keyed weakly: a stopped lab's clusters and their answers go with it.
    private static readonly ConditionalWeakTable<LabCluster, Peer> Peers = new();
    // Bounded CPU: at most this many requests are in flight from every simulated istiod of the process together.
    private static readonly SemaphoreSlim InFlight = new(16);

    private sealed class Peer
    {
        public readonly ConcurrentDictionary<string, Answer> Answers = new(StringComparer.Ordinal);
        public int AccessVersion;
    }

    /// <summary>A kept answer: the status once known, and until when the token that earned it is valid (its exp).</summary>
    private sealed class Answer(Func<Task<int>> ask, DateTimeOffset? expires)
    {
        private readonly Lazy<Task<int>> _status = new(ask);
        public Task<int> Status => _status.Value;
        public DateTimeOffset? Expires { get; } = expires;
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
        if (HasTerminalFault(peer)) return await GetAsync(peer, token, path).WaitAsync(ct);
        var (state, key) = KeyOf(peer, "istiod", token, path);
        var answer = Known(peer, state, key, token, () => GetAsync(peer, token, path));
        try
        {
            return await answer.Status.WaitAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // A failed attempt is not kept: the next ask tries again.
            state.Answers.TryRemove(new KeyValuePair<string, Answer>(key, answer));
            throw;
        }
    }

    /// <summary>
    /// A probe pod's curl GET of <paramref name="path"/> on <paramref name="peer"/> with the token: the status, or null
    /// when the peer reset the connection. Per call, as on a real API server: the peer's faults (any status or reset
    /// fault sends the call through the whole pipeline), its injected latency and one entry in its request log with
    /// curl's User-Agent; what authentication and RBAC decide is asked once per (peer, token, path) and kept. At 250
    /// clusters 186,750 calls through the full pipeline (authentication, RBAC over every binding, a JSON answer) were
    /// the lab's largest CPU cost during Test-MeshConnectivity (docs/design/scale.md).
    /// </summary>
    public static async Task<int?> CurlAsync(LabCluster peer, string? token, string path, CancellationToken ct)
    {
        if (HasTerminalFault(peer)) return await peer.GetFromPodAsync(path, token, ct);
        var (state, key) = KeyOf(peer, "curl", token, path);
        var first = false;
        var answer = Known(peer, state, key, token, async () =>
        {
            // The call that finds no answer is the one request that goes through the pipeline (and its log) for real.
            first = true;
            return await peer.GetFromPodAsync(path, token, CancellationToken.None) ?? throw new HttpRequestException($"{peer.Name} reset the connection");
        });
        var status = answer.Status;
        if (first)
        {
            // Its own answer, whatever it is; one that authentication and RBAC alone do not decide is not kept.
            int? own = null;
            try
            {
                own = await status.WaitAsync(ct);
            }
            catch (HttpRequestException)
            {
                // Reset: curl's 56, as from the pipeline.
            }
            finally
            {
                if (own is not (200 or 401 or 403)) state.Answers.TryRemove(new KeyValuePair<string, Answer>(key, answer));
            }

            return own;
        }

        // Every other call: its own faults and latency, the kept answer, its own log entry.
        var (delay, fault) = peer.Faults.Next("GET", path);
        var code = 0;
        try
        {
            if (fault is { Kind: FaultKind.Reset }) return null;
            if (fault is { Kind: FaultKind.Status }) return code = fault.StatusCode;
            if (delay > 0) await Task.Delay(delay, ct);
            var known = await AwaitStable(status, ct);
            if (known is null)
            {
                // Not an answer that authentication and RBAC alone decide (a fault raced in): this call asks for itself.
                state.Answers.TryRemove(new KeyValuePair<string, Answer>(key, answer));
                code = -1;
                return await peer.GetFromPodAsync(path, token, ct);
            }

            return code = known.Value;
        }
        finally
        {
            if (code >= 0) Log(peer, path, code);
        }
    }

    /// <summary>The kept status when it is one that authentication and RBAC decide (200, 401, 403), else null.</summary>
    private static async Task<int?> AwaitStable(Task<int> status, CancellationToken ct)
    {
        try
        {
            var code = await status.WaitAsync(ct);
            return code is 200 or 401 or 403 ? code : null;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // The first call's request failed: this call asks for itself.
            return null;
        }
    }

    /// <summary>The entry the peer's pipeline writes for a GET with curl's User-Agent (status 0: reset).</summary>
    private static void Log(LabCluster peer, string pathAndQuery, int status)
    {
        var question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        peer.RequestLog.Add(new RequestLogEntry(peer.Runtime.Clock.GetUtcNow(), "GET", question < 0 ? pathAndQuery : pathAndQuery[..question],
            question < 0 ? "" : pathAndQuery[question..], null, status, Server.PodNetworkRequest.UserAgent));
    }

    private static bool HasTerminalFault(LabCluster peer) => peer.Faults.Active.Any(rule => rule.Kind != FaultKind.Latency);

    private static (Peer State, string Key) KeyOf(LabCluster peer, string asker, string? token, string path)
    {
        var state = Peers.GetValue(peer, Watch);
        // Never the token itself as a key.
        var hash = string.IsNullOrEmpty(token) ? "-" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        // The day too: the first use of a legacy token each day labels its Secret (kubernetes.io/legacy-token-last-used).
        var day = peer.Runtime.Clock.GetUtcNow().ToUnixTimeSeconds() / 86_400;
        return (state, $"{asker}|{day}|{peer.AuthVersion}|{Volatile.Read(ref state.AccessVersion)}|{hash}|{path}");
    }

    /// <summary>
    /// The kept answer for the key, or a new one (<paramref name="ask"/> runs once) when none is kept; once the token's
    /// exp has passed nothing is kept for it any more: each call asks the pipeline (which answers 401).
    /// </summary>
    private static Answer Known(LabCluster peer, Peer state, string key, string? token, Func<Task<int>> ask)
    {
        var answer = state.Answers.GetOrAdd(key, _ => new Answer(ask, Expiry(token)));
        if (answer.Expires is not { } exp || peer.Runtime.Clock.GetUtcNow() < exp) return answer;
        state.Answers.TryRemove(new KeyValuePair<string, Answer>(key, answer));
        return new Answer(ask, null);
    }

    /// <summary>A TokenRequest token's exp claim (unverified: the pipeline verifies), or null for none (legacy tokens).</summary>
    private static DateTimeOffset? Expiry(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 }) return null;
        try
        {
            return (long?)(JsonNode.Parse(Auth.TokenIssuer.FromBase64Url(parts[1])) as JsonObject)?["exp"] is { } exp
                ? DateTimeOffset.FromUnixTimeSeconds(exp)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
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
                // Answers under the old version are never asked for again.
                state.Answers.Clear();
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
