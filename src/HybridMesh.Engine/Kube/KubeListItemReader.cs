using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Builds one list item as a JsonObject straight from the reader (docs/design/scale.md, "Memory"). The serializer's
/// own JsonObject reading copies every item into a JsonDocument of its own (its bytes plus an index about as large),
/// and every string read from it is a new copy: at 250 clusters a Secret list is 249 remote secrets whose
/// kubeconfig values are the same 250 texts over and over, and those copies were most of a New-Mesh re-run's
/// garbage. Here a long string is hashed while it is read (SHA-256 of its UTF-8 bytes, never kept with the text)
/// and the one string already read with that hash is reused; with <see cref="SkipManagedFields"/> the item's
/// metadata.managedFields is skipped unread (readers that compare contents do not need them).
/// </summary>
internal sealed class KubeListItemReader(bool skipManagedFields) : JsonConverter<JsonObject>
{
    /// <summary>Strings at least this long (UTF-8 bytes) are shared: kubeconfigs, certificates, tokens.</summary>
    private const int SharedLength = 512;
    private const int Capacity = 16384;
    private static readonly ConcurrentDictionary<(ulong, ulong, int), string> Shared = new();

    public bool SkipManagedFields { get; } = skipManagedFields;

    public override JsonObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null
        : reader.TokenType == JsonTokenType.StartObject ? ReadObject(ref reader, depth: 0, metadata: false)
        : throw new JsonException("a list item is not a JSON object");

    public override void Write(Utf8JsonWriter writer, JsonObject value, JsonSerializerOptions options) => value.WriteTo(writer, options);

    private JsonObject ReadObject(ref Utf8JsonReader reader, int depth, bool metadata)
    {
        var obj = new JsonObject();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (metadata && SkipManagedFields && name == "managedFields")
            {
                // The serializer hands over whole items, so the skip cannot run out of data.
                if (!reader.TrySkip())
                {
                    throw new JsonException("a list item ended inside metadata.managedFields");
                }

                continue;
            }

            obj[name] = ReadValue(ref reader, depth + 1, metadata: depth == 0 && name == "metadata");
        }

        return obj;
    }

    private JsonNode? ReadValue(ref Utf8JsonReader reader, int depth, bool metadata)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader, depth, metadata);
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadValue(ref reader, depth + 1, metadata: false));
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(ReadString(ref reader));
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

    private static string ReadString(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length < SharedLength)
        {
            return reader.GetString()!;
        }

        // The text as it will read (escapes resolved), in a pooled buffer: hashed, and only decoded when it is new.
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var text = buffer.AsSpan(0, reader.CopyString(buffer));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(text, hash);
            var key = (MemoryMarshal.Read<ulong>(hash), MemoryMarshal.Read<ulong>(hash[8..]), text.Length);
            if (Shared.TryGetValue(key, out var known))
            {
                return known;
            }

            if (Shared.Count >= Capacity)
            {
                Shared.Clear();
            }

            return Shared.GetOrAdd(key, Encoding.UTF8.GetString(text));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
