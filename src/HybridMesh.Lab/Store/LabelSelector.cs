using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Store;

/// <summary>
/// Label selectors as the API server parses them: =, ==, !=, in (...), notin (...), key (exists), !key.
/// Parse errors carry the API server's wording ("unable to parse requirement: found '=', expected: identifier").
/// </summary>
public sealed class LabelSelector
{
    private enum Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }
    private sealed record Requirement(string Key, Op Op, HashSet<string> Values);
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static readonly LabelSelector Everything = new([]);

    public bool Matches(JsonObject? labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels is not null && labels.TryGetPropertyValue(r.Key, out var node) && node is not null;
            var value = has ? (string?)labels![r.Key] ?? "" : null;
            var ok = r.Op switch
            {
                Op.Exists => has,
                Op.DoesNotExist => !has,
                Op.Equals or Op.In => has && r.Values.Contains(value!),
                Op.NotEquals or Op.NotIn => !has || !r.Values.Contains(value!),
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Builds a selector from a metav1.LabelSelector object (matchLabels + matchExpressions).</summary>
    public static LabelSelector FromObject(JsonObject? selector)
    {
        var reqs = new List<Requirement>();
        if (selector?["matchLabels"] is JsonObject ml)
            foreach (var (k, v) in ml) reqs.Add(new Requirement(k, Op.Equals, [(string?)v ?? ""]));
        if (selector?["matchExpressions"] is JsonArray me)
            foreach (var e in me.OfType<JsonObject>())
            {
                var op = (string?)e["operator"] switch
                {
                    "In" => Op.In, "NotIn" => Op.NotIn, "Exists" => Op.Exists, _ => Op.DoesNotExist,
                };
                var values = (e["values"] as JsonArray)?.Select(v => (string?)v ?? "").ToHashSet() ?? [];
                reqs.Add(new Requirement((string?)e["key"] ?? "", op, values));
            }
        return new LabelSelector(reqs);
    }

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var tokens = Lex(text);
        var reqs = new List<Requirement>();
        var i = 0;
        while (i < tokens.Count)
        {
            var negate = false;
            if (tokens[i] == "!") { negate = true; i++; }
            if (i >= tokens.Count || !IsIdentifier(tokens[i]))
                throw Fail($"found '{(i < tokens.Count ? tokens[i] : "")}', expected: !, identifier, or 'end of string'");
            var key = tokens[i++];
            if (negate || i >= tokens.Count || tokens[i] == ",")
            {
                reqs.Add(new Requirement(key, negate ? Op.DoesNotExist : Op.Exists, []));
            }
            else
            {
                var opToken = tokens[i++];
                switch (opToken)
                {
                    case "=" or "==" or "!=":
                        var value = "";
                        if (i < tokens.Count && tokens[i] != ",")
                        {
                            if (!IsIdentifier(tokens[i])) throw Fail($"found '{tokens[i]}', expected: identifier");
                            value = tokens[i++];
                        }
                        reqs.Add(new Requirement(key, opToken == "!=" ? Op.NotEquals : Op.Equals, [value]));
                        break;
                    case "in" or "notin":
                        if (i >= tokens.Count || tokens[i] != "(") throw Fail($"found '{(i < tokens.Count ? tokens[i] : "")}', expected: '('");
                        i++;
                        var set = new HashSet<string>(StringComparer.Ordinal);
                        while (i < tokens.Count && tokens[i] != ")")
                        {
                            if (tokens[i] == ",") { i++; continue; }
                            if (!IsIdentifier(tokens[i])) throw Fail($"found '{tokens[i]}', expected: ',', ')' or identifier");
                            set.Add(tokens[i++]);
                        }
                        if (i >= tokens.Count) throw Fail("found '', expected: ')'");
                        i++;
                        reqs.Add(new Requirement(key, opToken == "in" ? Op.In : Op.NotIn, set));
                        break;
                    default:
                        throw Fail($"found '{opToken}', expected: in, notin, =, ==, !=, gt, lt");
                }
            }
            if (i < tokens.Count)
            {
                if (tokens[i] != ",") throw Fail($"found '{tokens[i]}', expected: ',' or 'end of string'");
                i++;
            }
        }
        return new LabelSelector(reqs);
    }

    private static FormatException Fail(string detail) => new("unable to parse requirement: " + detail);

    private static bool IsIdentifier(string t) => t.Length > 0 && t is not ("=" or "==" or "!=" or "!" or "(" or ")" or ",");

    /// <summary>Like the API server's lexer: special symbols are read greedily while they form a known token.</summary>
    private static List<string> Lex(string s)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '=' or '!' or '(' or ')' or ',')
            {
                var tok = c.ToString();
                i++;
                while (i < s.Length && (tok + s[i]) is "==" or "!=") { tok += s[i]; i++; }
                tokens.Add(tok);
                continue;
            }
            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not ('=' or '!' or '(' or ')' or ',')) i++;
            tokens.Add(s[start..i]);
        }
        return tokens;
    }
}
