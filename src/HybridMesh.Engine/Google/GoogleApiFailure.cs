using System.Globalization;
using System.Text.Json;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>
/// A final (non-retried) error answer from a Google API, read from the standard envelope
/// {"error": {"code": 403, "message": "...", "status": "PERMISSION_DENIED", "details": [...]}}. Of the details we
/// keep google.rpc.ErrorInfo (reason, domain, metadata: what went wrong, e.g. SERVICE_DISABLED with the service
/// name) and google.rpc.RetryInfo (retryDelay: how long the server wants us to wait); see docs/design/google-rest.md.
/// </summary>
internal sealed record GoogleApiFailure(int HttpStatus, string Status, string Message)
{
    private const int MaxMessageLength = 500;
    private const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";
    private const string RetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

    /// <summary>ErrorInfo.reason, e.g. SERVICE_DISABLED, ACCESS_TOKEN_SCOPE_INSUFFICIENT, IAM_PERMISSION_DENIED.</summary>
    public string? Reason { get; init; }

    /// <summary>ErrorInfo.domain, e.g. googleapis.com or iam.googleapis.com.</summary>
    public string? Domain { get; init; }

    /// <summary>ErrorInfo.metadata (service, consumer, permission, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>RetryInfo.retryDelay, when the server sent one.</summary>
    public TimeSpan? RetryDelay { get; init; }

    public string? Meta(string key) => Metadata.TryGetValue(key, out var value) ? value : null;

    public static GoogleApiFailure Parse(int httpStatus, string? reasonPhrase, string body)
    {
        string? status = null, message = null, reason = null, domain = null;
        TimeSpan? retryDelay = null;
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    status = GoogleJson.String(error, "status");
                    message = GoogleJson.String(error, "message");
                    if (GoogleJson.Path(error, "details") is { ValueKind: JsonValueKind.Array } details)
                    {
                        foreach (var detail in details.EnumerateArray())
                        {
                            switch (GoogleJson.String(detail, "@type"))
                            {
                                case ErrorInfoType when reason is null:
                                    reason = GoogleJson.String(detail, "reason");
                                    domain = GoogleJson.String(detail, "domain");
                                    metadata = GoogleJson.Map(detail, "metadata");
                                    break;
                                case RetryInfoType:
                                    retryDelay = ParseDuration(GoogleJson.String(detail, "retryDelay"));
                                    break;
                            }
                        }
                    }
                }
                else if (error.ValueKind == JsonValueKind.String)
                {
                    // OAuth2 token endpoints answer {"error": "invalid_grant", "error_description": "..."}.
                    status = error.GetString();
                    message = GoogleJson.String(document.RootElement, "error_description");
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

        return new GoogleApiFailure(httpStatus, status, message)
        {
            Reason = reason,
            Domain = domain,
            Metadata = metadata,
            RetryDelay = retryDelay,
        };
    }

    /// <summary>google.protobuf.Duration in JSON: seconds with an "s" suffix, e.g. "1s", "0.250s", "30s".</summary>
    internal static TimeSpan? ParseDuration(string? text)
    {
        if (text is null || !text.EndsWith('s') ||
            !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture,
                out var seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return null;
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
