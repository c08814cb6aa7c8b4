using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Builds one list item as a JsonObject straight from the reader (docs/design/scale.md, "Memory"). The serializer's
/// own JsonObject reading copies every item into a JsonDocument of its own (its bytes plus an index about as large),
/// and every string read from it is a new copy: at 250 clusters a Secret list is 249 remote secrets whose
/// kubeconfig values, names, keys and annotations are the same few hundred texts over and over, and those copies
/// were most of a New-Mesh re-run's memory. Here every string (property names too) comes from the current run's
/// <see cref="KubeRun.Strings"/>: one string per distinct text. With <see cref="SkipBookkeeping"/> the item's
/// server bookkeeping (<see cref="Bookkeeping"/>: managedFields, uid, resourceVersion, creationTimestamp, generation) is
/// skipped unread, for readers that judge contents only (ClusterSnapshot's Secret list): in a 250-cluster re-run
/// those were 62,250 unique strings and about a third of every kept item's metadata.
/// </summary>
internal sealed class KubeListItemReader(bool skipBookkeeping) : JsonConverter<JsonObject>
{
    public bool SkipBookkeeping { get; } = skipBookkeeping;

    /// <summary>metadata fields the server keeps for itself; no rule reads them from a snapshot.</summary>
    private static readonly HashSet<string> Bookkeeping =
        new(["managedFields", "uid", "resourceVersion", "creationTimestamp", "generation", "selfLink"], StringComparer.Ordinal);

    public override JsonObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null
        : reader.TokenType == JsonTokenType.StartObject ? ReadObject(ref reader, KubeRun.Current?.Strings, depth: 0, metadata: false)
        : throw new JsonException("a list item is not a JSON object");

    public override void Write(Utf8JsonWriter writer, JsonObject value, JsonSerializerOptions options) => value.WriteTo(writer, options);

    private JsonObject ReadObject(ref Utf8JsonReader reader, KubeListStrings? strings, int depth, bool metadata)
    {
        var obj = new JsonObject();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = ReadString(ref reader, strings);
            reader.Read();
            if (metadata && SkipBookkeeping && Bookkeeping.Contains(name))
            {
                // The serializer hands over whole items, so the skip cannot run out of data.
                if (!reader.TrySkip())
                {
                    throw new JsonException($"a list item ended inside metadata.{name}");
                }

                continue;
            }

            obj[name] = ReadValue(ref reader, strings, depth + 1, metadata: depth == 0 && name == "metadata");
        }

        return obj;
    }

    private JsonNode? ReadValue(ref Utf8JsonReader reader, KubeListStrings? strings, int depth, bool metadata)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader, strings, depth, metadata);
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadValue(ref reader, strings, depth + 1, metadata: false));
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(ReadString(ref reader, strings));
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Null:
                return null;
            default:
                // Numbers stay backed by their JSON text, as JsonNode.Parse leaves them: readers convert them to the
                // numeric type they need (int, long, double).
                return JsonNode.Parse(ref reader);
        }
    }

    /// <summary>A string value or property name, shared through the run's table when there is one.</summary>
    private static string ReadString(ref Utf8JsonReader reader, KubeListStrings? strings)
    {
        if (strings is null)
        {
            return reader.GetString()!;
        }

        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length >= KubeListStrings.LongLength)
        {
            return strings.Long(ref reader, length);
        }

        // Escaped or split across buffers: rare for short Kubernetes strings, read as they are.
        return reader.HasValueSequence || reader.ValueIsEscaped ? reader.GetString()! : strings.Short(reader.ValueSpan);
    }
}
