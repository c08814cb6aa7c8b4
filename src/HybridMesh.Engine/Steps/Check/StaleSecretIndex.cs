using System.Runtime.CompilerServices;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// The remote-secret kubeconfigs of one holder, looked up by what can make one serve a peer (its key or cluster
/// annotation, its server's scheme://host:port, its CA). The stale-secret rule asks "which of the holder's secrets
/// serve this peer" for every ordered pair; scanning every secret for every pair was O(N³) at fleet size
/// (docs/design/scale.md). The index only narrows the candidates; <see cref="RemoteSecretChecks.Serves"/> still decides.
/// Built once per snapshot, kept as long as the snapshot lives.
/// </summary>
internal sealed class StaleSecretIndex
{
    private static readonly ConditionalWeakTable<ClusterSnapshot, StaleSecretIndex> Indexes = new();
    private readonly Dictionary<string, List<RemoteSecretKubeconfig>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RemoteSecretKubeconfig>> _byAuthority = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RemoteSecretKubeconfig>> _byCa = new(StringComparer.Ordinal);

    private StaleSecretIndex(ClusterSnapshot holder)
    {
        foreach (var k in holder.RemoteKubeconfigs)
        {
            Add(_byName, k.Key, k);
            if (k.ClusterAnnotation is { Length: > 0 } annotation && annotation != k.Key)
            {
                Add(_byName, annotation, k);
            }

            if (Authority(k.Server) is { } authority)
            {
                Add(_byAuthority, authority, k);
            }

            if (k.CertificateAuthority.Length > 0)
            {
                Add(_byCa, k.CertificateAuthority, k);
            }
        }
    }

    public static StaleSecretIndex For(ClusterSnapshot holder) => Indexes.GetValue(holder, h => new StaleSecretIndex(h));

    /// <summary>The holder's kubeconfigs that might serve the peer, each once, in the holder's order.</summary>
    public IEnumerable<RemoteSecretKubeconfig> Candidates(ClusterSnapshot peer, IReadOnlyCollection<string> servers)
    {
        var found = new HashSet<RemoteSecretKubeconfig>(ReferenceEqualityComparer.Instance);
        if (peer.Details?.IstioClusterName is { Length: > 0 } name)
        {
            found.UnionWith(Lookup(_byName, name));
        }

        foreach (var server in servers.Append(peer.Server?.ToString()))
        {
            if (Authority(server) is { } authority)
            {
                found.UnionWith(Lookup(_byAuthority, authority));
            }
        }

        foreach (var ca in peer.CertificateAuthorities)
        {
            found.UnionWith(Lookup(_byCa, ca));
        }

        return found;
    }

    private static IEnumerable<RemoteSecretKubeconfig> Lookup(Dictionary<string, List<RemoteSecretKubeconfig>> map, string key) =>
        map.TryGetValue(key, out var list) ? list : [];

    private static void Add(Dictionary<string, List<RemoteSecretKubeconfig>> map, string key, RemoteSecretKubeconfig k)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(k);
    }

    // RemoteSecretKubeconfig.SameServer needs equal scheme, host and port (ignoring case) in every case it accepts.
    private static string? Authority(string? server) =>
        server is not null && Uri.TryCreate(server, UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}
