using System.Security.Cryptography;

namespace HybridMesh.Engine.Google;

/// <summary>
/// Membership ids as asmcli chooses them (docs/design/fleet-registration.md): the cluster name; when taken,
/// &lt;cluster&gt;-&lt;project&gt;-&lt;cluster location&gt; (the zone for a zonal cluster); when that is taken or
/// longer than 63 characters, the first 54 characters of the cluster name, '-', and 8 random [a-z0-9].
/// </summary>
internal static class FleetMembershipNames
{
    public const int MaxLength = 63;
    private const int RandomPrefixLength = 54;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The names to try, in order; ids longer than 63 characters are left out, the random one never is.</summary>
    public static IEnumerable<string> Candidates(string cluster, string project, string clusterLocation,
        Func<string>? random = null)
    {
        if (cluster.Length <= MaxLength)
        {
            yield return cluster;
        }

        var qualified = $"{cluster}-{project}-{clusterLocation}";
        if (qualified.Length <= MaxLength)
        {
            yield return qualified;
        }

        var prefix = cluster.Length > RandomPrefixLength ? cluster[..RandomPrefixLength] : cluster;
        yield return prefix + "-" + (random ?? RandomSuffix)();
    }

    /// <summary>8 characters of [a-z0-9] from a cryptographic source (as asmcli reads /dev/urandom).</summary>
    public static string RandomSuffix() =>
        string.Create(8, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });

    /// <summary>us-central1-a → us-central1 (gcloud registers zonal clusters in their region); regions stay.</summary>
    public static string RegionOf(string location)
    {
        var parts = location.Split('-');
        return parts.Length == 3 && parts[2].Length == 1 ? $"{parts[0]}-{parts[1]}" : location;
    }
}
