using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// The RSA keys of the clusters' service-account token issuers.
/// Generating a 2048-bit key takes 0.1 to 4 s on a busy 2-core machine and was most of a lab's start, so a process
/// generates the key of each slot once (slots of one lab in parallel) and every later lab of the process reuses it.
/// Slots are per cluster name: the clusters of one lab never accept each other's tokens, as real clusters do not.
/// Reuse across labs of one process accepts no foreign token either, because the lab binds every service-account
/// token to its ServiceAccount's uid (and a legacy token to the Secret holding it), which are new in every lab.
/// Keys stay RS256 (docs/design/kube-api-answers.md: legacy tokens are deterministic, which tests rely on).
/// </summary>
internal static class LabKeys
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Pkcs8 = new(StringComparer.Ordinal);

    /// <summary>A new RSA instance holding the slot's key (the caller disposes it).</summary>
    public static RSA Rsa(string slot)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Key(slot), out _);
        return rsa;
    }

    /// <summary>Generates the keys of slots not generated yet, in parallel (a lab calls it before starting its servers).</summary>
    public static void Prepare(IEnumerable<string> slots) => Parallel.ForEach(slots, slot => Key(slot));

    public static string ClusterSlot(string clusterName) => "cluster/" + clusterName;

    private static byte[] Key(string slot) =>
        Pkcs8.GetOrAdd(slot, _ => new Lazy<byte[]>(() =>
        {
            using var rsa = RSA.Create(2048);
            return rsa.ExportPkcs8PrivateKey();
        })).Value;
}
