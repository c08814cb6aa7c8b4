using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Fleet;

/// <summary>Google's JSON error envelope {"error": {"code", "message", "status"}} and OAuth2 token errors.</summary>
internal static class GoogleErrors
{
    public static Task WriteAsync(HttpContext context, int code, string? message = null) =>
        WriteJsonAsync(context, code, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = message ?? DefaultMessage(code),
                ["status"] = CanonicalStatus(code),
            },
        });

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
        429 => "Quota exceeded for quota metric 'Read requests' of service (simulated).",
        503 => "The service is currently unavailable.",
        _ when code >= 500 => "Internal error encountered.",
        _ => "Request failed.",
    };
}
