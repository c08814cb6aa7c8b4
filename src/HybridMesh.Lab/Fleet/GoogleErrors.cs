using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Fleet;

/// <summary>
/// Google's JSON error envelope {"error": {"code", "message", "status", "details"}} and OAuth2 token errors. The
/// details carry google.rpc.ErrorInfo {reason, domain, metadata} and google.rpc.RetryInfo {retryDelay} as the real
/// APIs send them (docs/design/google-rest.md).
/// </summary>
internal static class GoogleErrors
{
    public static Task WriteAsync(HttpContext context, int code, string? message = null, string? status = null,
        params JsonObject[] details)
    {
        var error = new JsonObject
        {
            ["code"] = code,
            ["message"] = message ?? DefaultMessage(code),
            ["status"] = status ?? CanonicalStatus(code),
        };
        if (details.Length > 0)
        {
            error["details"] = new JsonArray(details.Select(d => (JsonNode)d).ToArray());
        }

        return WriteJsonAsync(context, code, new JsonObject { ["error"] = error });
    }

    public static JsonObject ErrorInfo(string reason, string domain, params (string Key, string Value)[] metadata)
    {
        var map = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            map[key] = value;
        }

        return new JsonObject
        {
            ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
            ["reason"] = reason,
            ["domain"] = domain,
            ["metadata"] = map,
        };
    }

    /// <summary>google.protobuf.Duration JSON: "1s", "0.500s".</summary>
    public static JsonObject RetryInfo(TimeSpan delay) => new()
    {
        ["@type"] = "type.googleapis.com/google.rpc.RetryInfo",
        ["retryDelay"] = delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s",
    };

    /// <summary>403 IAM_PERMISSION_DENIED as GKE Hub and Resource Manager send it.</summary>
    public static Task WritePermissionDeniedAsync(HttpContext context, string message, string permission,
        string resource, string domain = "iam.googleapis.com") =>
        WriteAsync(context, 403, message, "PERMISSION_DENIED",
            ErrorInfo("IAM_PERMISSION_DENIED", domain, ("permission", permission), ("resource", resource)));

    /// <summary>What an API answers when it is not enabled in the consumer project.</summary>
    public static Task WriteServiceDisabledAsync(HttpContext context, string service, string title, string consumer,
        TimeSpan? retryDelay = null)
    {
        var project = consumer.StartsWith("projects/", StringComparison.Ordinal) ? consumer["projects/".Length..] : consumer;
        var activation = $"https://console.developers.google.com/apis/api/{service}/overview?project={project}";
        return WriteAsync(context, 403,
            $"{title} has not been used in project {project} before or it is disabled. Enable it by visiting " +
            $"{activation} then retry. If you enabled this API recently, wait a few minutes for the action to " +
            "propagate to our systems and retry.",
            "PERMISSION_DENIED",
            [
                ErrorInfo("SERVICE_DISABLED", "googleapis.com", ("service", service), ("consumer", consumer),
                    ("serviceTitle", title), ("activationUrl", activation), ("containerInfo", project)),
                new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.rpc.LocalizedMessage",
                    ["locale"] = "en-US",
                    ["message"] = $"{title} has not been used in project {project} before or it is disabled.",
                },
                .. retryDelay is { } delay ? [RetryInfo(delay)] : Array.Empty<JsonObject>(),
            ]);
    }

    public static Task WriteOAuthAsync(HttpContext context, int code, string error, string description) =>
        WriteJsonAsync(context, code, new JsonObject { ["error"] = error, ["error_description"] = description });

    public static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    // google.rpc.Code names for the HTTP statuses Google maps them to.
    public static string CanonicalStatus(int code) => code switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ALREADY_EXISTS",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ when code >= 500 => "INTERNAL",
        _ => "FAILED_PRECONDITION",
    };

    private static string DefaultMessage(int code) => code switch
    {
        401 => "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or " +
               "other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        403 => "The caller does not have permission",
        404 => "Requested entity was not found.",
        409 => "Resource already exists.",
        429 => "Quota exceeded for quota metric 'Read requests' of service (simulated).",
        503 => "The service is currently unavailable.",
        _ when code >= 500 => "Internal error encountered.",
        _ => "Request failed.",
    };
}
