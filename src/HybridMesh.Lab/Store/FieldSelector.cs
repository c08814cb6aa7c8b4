using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Store;

/// <summary>
/// Field selectors: metadata.name and metadata.namespace for every resource, plus the few extra labels a resource
/// supports (Secrets: type). Anything else is 400 "field label not supported: X", as the API server answers.
/// </summary>
public sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _terms;
    private FieldSelector(List<(string, bool, string)> terms) => _terms = terms;

    public static FieldSelector Parse(string? text, string plural)
    {
        var terms = new List<(string, bool, string)>();
        if (string.IsNullOrWhiteSpace(text)) return new FieldSelector(terms);
        foreach (var part in text.Split(','))
        {
            string field, value;
            bool equal;
            var ne = part.IndexOf("!=", StringComparison.Ordinal);
            if (ne >= 0) { field = part[..ne]; value = part[(ne + 2)..]; equal = false; }
            else
            {
                var eq = part.IndexOf('=');
                if (eq < 0) throw new FormatException($"invalid selector: '{text}'; can't understand '{part}'");
                field = part[..eq];
                value = part[(eq + 1)..].TrimStart('=');
                equal = true;
            }
            field = field.Trim();
            if (!Supported(field, plural)) throw new FormatException($"field label not supported: {field}");
            terms.Add((field, equal, value.Trim()));
        }
        return new FieldSelector(terms);
    }

    private static bool Supported(string field, string plural) => field switch
    {
        "metadata.name" or "metadata.namespace" => true,
        "type" => plural == "secrets",
        "spec.nodeName" => plural == "pods",
        "status.phase" => plural is "pods" or "namespaces",
        _ => false,
    };

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            var actual = field switch
            {
                "metadata.name" => (string?)obj["metadata"]?["name"],
                "metadata.namespace" => (string?)obj["metadata"]?["namespace"],
                "type" => (string?)obj["type"],
                "spec.nodeName" => (string?)obj["spec"]?["nodeName"],
                "status.phase" => (string?)obj["status"]?["phase"],
                _ => null,
            } ?? "";
            if ((actual == value) != equal) return false;
        }
        return true;
    }
}
