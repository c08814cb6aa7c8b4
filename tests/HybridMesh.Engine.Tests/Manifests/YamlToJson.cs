using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>
/// An independent reader for the module's YAML: YamlDotNet's representation model plus YAML 1.2 core-schema typing
/// of plain scalars (what kubectl's reader does), written here in the tests rather than reusing anything from the
/// Engine, so a quoting mistake in the serializer shows up as a changed value.
/// </summary>
internal static partial class YamlToJson
{
    public static List<JsonNode?> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => Convert(d.RootNode)).ToList();
    }

    public static List<YamlDocument> Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.ToList();
    }

    public static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new InvalidOperationException($"Unexpected node {node.NodeType}"),
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var keyScalar = (YamlScalarNode)key;
            // A key that a reader would type as non-string is a serializer bug too.
            var typed = ConvertScalar(keyScalar);
            Assert.True(typed is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String,
                $"key '{keyScalar.Value}' does not read back as a string");
            obj[keyScalar.Value!] = Convert(value);
        }

        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntPattern().IsMatch(text))
        {
            return JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
        }

        if (FloatPattern().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        }

        if (OctHexPattern().IsMatch(text) || SpecialFloatPattern().IsMatch(text))
        {
            // A float/hex/octal in YAML terms: keep it distinguishable from any string so a comparison fails.
            return new JsonObject { ["$number"] = text };
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^(0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex OctHexPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN)$")]
    private static partial Regex SpecialFloatPattern();
}
