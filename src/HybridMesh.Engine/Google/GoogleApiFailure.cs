using System.Text.Json;

namespace HybridMesh.Engine.Google;

/// <summary>
/// A final (non-retried) error answer from a Google API, read from the standard envelope
/// {"error": {"code": 404, "message": "...", "status": "NOT_FOUND"}}.
/// </summary>
internal sealed record GoogleApiFailure(int HttpStatus, string Status, string Message)
{
    private const int MaxMessageLength = 500;

    public static GoogleApiFailure Parse(int httpStatus, string? reasonPhrase, string body)
    {
        string? status = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String
                        ? s.GetString() : null;
                    message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                        ? m.GetString() : null;
                }
                else if (error.ValueKind == JsonValueKind.String)
                {
                    // OAuth2 token endpoints answer {"error": "invalid_grant", "error_description": "..."}.
                    status = error.GetString();
                    message = document.RootElement.TryGetProperty("error_description", out var d) &&
                              d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML page from a proxy, for example): fall back to the status line below.
        }

        status ??= reasonPhrase ?? "";
        message = string.IsNullOrWhiteSpace(message) ? $"HTTP {httpStatus} {reasonPhrase}".Trim() : message;
        message = MeshErrors.FirstLine(message);
        if (message.Length > MaxMessageLength)
        {
            message = message[..MaxMessageLength] + "…";
        }

        return new GoogleApiFailure(httpStatus, status, message);
    }
}
