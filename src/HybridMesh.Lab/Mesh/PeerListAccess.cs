using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// Whether a bearer token may list services, endpoints and secrets on a cluster's API server: what istiod's informers
/// need from a remote (docs/design/istiod-view.md). Asked for real, through the peer's HTTPS API server (its
/// authenticator and RBAC), and kept per (peer, token, the peer's token revocations): every cluster of a mesh holds the
/// same reader token for a given peer, so the answer is worked out once per peer and token, not once per (holder,
/// peer). Which holder asks matters only for the network path and the CA, which the caller judges
/// (<see cref="IstiodSimulator"/>). At 250 clusters this is ~750 requests instead of 186,750 (docs/design/scale.md).
/// </summary>
internal static class PeerListAccess
{
    private static readonly string[] Paths = ["/api/v1/services?limit=1", "/api/v1/endpoints?limit=1", "/api/v1/secrets?limit=1"];

    // One client (one TLS connection pool) per peer for the whole lab, as istiod keeps its informers' connections; the
    // token goes per request. Keyed weakly: a stopped lab's clusters and clients go with it.
    private static readonly ConditionalWeakTable<LabCluster, HttpClient> Clients = new();
    private static readonly ConditionalWeakTable<LabCluster, ConcurrentDictionary<string, Lazy<Task<bool>>>> Answers = new();
    // Bounded CPU: at most this many peers are being listed at once by every simulated istiod of the process together.
    private static readonly SemaphoreSlim InFlight = new(16);

    /// <summary>True when <paramref name="token"/> may list all three on <paramref name="peer"/>.</summary>
    public static async Task<bool> CanListAsync(LabCluster peer, string token, CancellationToken ct)
    {
        var answers = Answers.GetValue(peer, _ => new ConcurrentDictionary<string, Lazy<Task<bool>>>(StringComparer.Ordinal));
        // Never the token itself as a key (it would outlive the secret in memory dumps of the lab).
        var key = $"{peer.AuthVersion}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}";
        var answer = answers.GetOrAdd(key, _ => new Lazy<Task<bool>>(() => ListAsync(peer, token)));
        try
        {
            return await answer.Value.WaitAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // A failed attempt is not kept: the next ask tries again.
            answers.TryRemove(new KeyValuePair<string, Lazy<Task<bool>>>(key, answer));
            throw;
        }
    }

    // Not cancelled by any asker: like istiod's informers, the list runs whoever waits for it.
    private static async Task<bool> ListAsync(LabCluster peer, string token)
    {
        var http = Clients.GetValue(peer, p => p.CreateHttpClient(""));
        await InFlight.WaitAsync();
        try
        {
            var answers = await Task.WhenAll(Paths.Select(async path =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request);
                return response.IsSuccessStatusCode;
            }));
            return answers.All(ok => ok);
        }
        finally
        {
            InFlight.Release();
        }
    }
}
