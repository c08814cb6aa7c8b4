using System.Text.Json;

namespace HybridMesh.Engine.Google;

/// <summary>Tolerant readers for Google's JSON: a missing or differently typed field reads as absent.</summary>
internal static class GoogleJson
{
    public static JsonElement? Path(JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static string? String(JsonElement element, params string[] path) =>
        Path(element, path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool? Bool(JsonElement element, params string[] path) =>
        Path(element, path) is { } value && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    public static IReadOnlyDictionary<string, string> Map(JsonElement element, params string[] path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Path(element, path) is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var property in map.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    result[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return result;
    }

    public static DateTimeOffset? Time(JsonElement element, params string[] path) =>
        String(element, path) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
}
