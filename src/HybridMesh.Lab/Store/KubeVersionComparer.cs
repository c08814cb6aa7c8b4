using System.Text.RegularExpressions;

namespace HybridMesh.Lab.Store;

/// <summary>
/// Kubernetes version priority: GA before beta before alpha, higher numbers first (v1 &gt; v1beta1 &gt; v1alpha3),
/// anything not matching the pattern last, alphabetically. Decides preferredVersion and listing order.
/// </summary>
public sealed partial class KubeVersionComparer : IComparer<string>
{
    public static readonly KubeVersionComparer Instance = new();

    [GeneratedRegex(@"^v(\d+)(?:(alpha|beta)(\d+))?$")]
    private static partial Regex Pattern();

    public int Compare(string? x, string? y)
    {
        var kx = Key(x ?? "");
        var ky = Key(y ?? "");
        var c = ky.Rank.CompareTo(kx.Rank);
        if (c != 0) return c;
        c = ky.Major.CompareTo(kx.Major);
        if (c != 0) return c;
        c = ky.Minor.CompareTo(kx.Minor);
        return c != 0 ? c : string.CompareOrdinal(x, y);
    }

    private static (int Rank, int Major, int Minor) Key(string v)
    {
        var m = Pattern().Match(v);
        if (!m.Success) return (0, 0, 0);
        var rank = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        return (rank, int.Parse(m.Groups[1].Value), m.Groups[3].Success && m.Groups[3].Value.Length > 0 ? int.Parse(m.Groups[3].Value) : 0);
    }
}
