using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Writes rendered objects as YAML for -ManifestOnly output and GitOps review: one document per object, each opened
/// with "---", keys in the order the renderers built them (deterministic, so two runs diff cleanly), and every string
/// that a YAML reader could take for a number, boolean, null or date written in double quotes — a label value
/// "true" or a network "1234" must stay a string when kubectl reads the file back.
/// </summary>
internal static class ManifestYaml
{
    public static string Serialize(IEnumerable<JsonObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = NewEmitter(writer);
        emitter.Emit(new StreamStart());
        foreach (var obj in objects)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: false));
            EmitNode(emitter, obj);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }

        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    public static string Serialize(JsonObject obj) => Serialize([obj]);

    /// <summary>One document without a "---" marker: for YAML embedded in another object (the remote-secret kubeconfig).</summary>
    internal static string SerializeDocument(JsonObject obj)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = NewEmitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        EmitNode(emitter, obj);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    // Unlimited width: long values (base64 CA data, tokens) are never folded across lines.
    private static Emitter NewEmitter(TextWriter writer) =>
        new(writer, new EmitterSettings().WithBestWidth(int.MaxValue).WithNewLine("\n"));

    private static void EmitNode(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(Plain("null"));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    emitter.Emit(StringScalar(key));
                    EmitNode(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in array)
                {
                    EmitNode(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            default:
                EmitValue(emitter, node.AsValue());
                break;
        }
    }

    private static void EmitValue(IEmitter emitter, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                emitter.Emit(StringScalar(value.GetValue<string>()));
                break;
            case JsonValueKind.True:
                emitter.Emit(Plain("true"));
                break;
            case JsonValueKind.False:
                emitter.Emit(Plain("false"));
                break;
            case JsonValueKind.Number:
                emitter.Emit(Plain(value.ToJsonString()));
                break;
            default:
                emitter.Emit(Plain("null"));
                break;
        }
    }

    private static Scalar Plain(string text) =>
        new(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false);

    private static Scalar StringScalar(string text)
    {
        if (YamlScalarRules.ResolvesAsNonString(text))
        {
            return new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.DoubleQuoted, false, true);
        }

        // Multi-line text (certificates, embedded YAML) reads best as a literal block; the emitter falls back to a
        // quoted style by itself when a block is impossible (e.g. trailing spaces). Otherwise it picks plain when the
        // text is safe unquoted ("*.local" starts with an alias indicator and gets quotes).
        var style = text.Contains('\n') ? ScalarStyle.Literal : ScalarStyle.Any;
        return new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true);
    }
}
