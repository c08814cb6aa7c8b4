using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// The error part of an API server answer. Most errors carry a metav1 Status (reason, message, details, causes), but
/// an unavailable aggregated API answers 503 in plain text (docs/design/kube-api-answers.md §12.2), so both are read.
/// </summary>
internal sealed record KubeStatus(int Code, string Reason, string Message, string? DetailsKind, string? DetailsGroup,
    string? DetailsName, IReadOnlyList<string> CauseReasons)
{
    private const int MaxTextLength = 300;

    public static KubeStatus Parse(int code, string? reasonPhrase, string? body)
    {
        var fallbackReason = string.IsNullOrEmpty(reasonPhrase) ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : reasonPhrase;
        if (!string.IsNullOrWhiteSpace(body) && body.TrimStart().StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(body) is JsonObject json && json["kind"]?.GetValue<string>() == "Status")
                {
                    var details = json["details"] as JsonObject;
                    var causes = (details?["causes"] as JsonArray)?
                        .Select(c => (c as JsonObject)?["reason"]?.GetValue<string>() ?? "")
                        .ToArray() ?? [];
                    return new KubeStatus(code,
                        Text(json["reason"]) ?? fallbackReason,
                        Text(json["message"]) ?? fallbackReason,
                        Text(details?["kind"]), Text(details?["group"]), Text(details?["name"]), causes);
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to the text form.
            }
            catch (InvalidOperationException)
            {
                // A field of an unexpected JSON type: treat the body as text.
            }
        }

        var text = string.IsNullOrWhiteSpace(body) ? fallbackReason : MeshErrors.FirstLine(body.Trim());
        if (text.Length > MaxTextLength)
        {
            text = text[..MaxTextLength] + "…";
        }

        return new KubeStatus(code, fallbackReason, text, null, null, null, []);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
