using System.Text.RegularExpressions;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Which plain scalars a YAML reader would not read back as strings. Covers YAML 1.2 core and the older YAML 1.1
/// resolvers still used by Go's yaml.v2 and many tools (yes/no/on/off, octal 0755, sexagesimal 1:30, dates), so a
/// file is read the same way whichever library reads it. Errs on the side of quoting: quoting a string is always safe.
/// </summary>
internal static partial class YamlScalarRules
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "~", "null", "Null", "NULL",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
        "=", "<<",
    };

    // Starts like a number (optional sign, then a digit or ".digit") and holds only characters that appear in YAML
    // integers, floats, hex/octal/binary and sexagesimal forms. Catches "1e3", "0x1F", "1_000", "12:30", "0755".
    [GeneratedRegex(@"^[-+]?\.?[0-9][0-9a-fA-FxXoObB_.:eE+-]*$")]
    private static partial Regex NumberLike();

    // YAML 1.1 timestamps begin with a date.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")]
    private static partial Regex DateLike();

    public static bool ResolvesAsNonString(string text) =>
        text.Length == 0 || Words.Contains(text) || NumberLike().IsMatch(text) || DateLike().IsMatch(text);
}
