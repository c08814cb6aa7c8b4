using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Fleet;

/// <summary>The bodies of injected faults, shaped as the real APIs shape them (docs/design/google-rest.md).</summary>
internal static class FleetFaultAnswers
{
    public static (string Service, string Title) ServiceOf(FleetApi api) => api switch
    {
        FleetApi.ResourceManager => ("cloudresourcemanager.googleapis.com", "Cloud Resource Manager API"),
        FleetApi.Container => ("container.googleapis.com", "Kubernetes Engine API"),
        _ => ("gkehub.googleapis.com", "GKE Hub API"),
    };

    /// <summary>
    /// The consumer project of a call: the project in its path, as "projects/&lt;number&gt;" when the fleet knows the
    /// project (Google names the consumer by number), else as written.
    /// </summary>
    public static string Consumer(FleetState state, string[] segments)
    {
        var index = Array.IndexOf(segments, "projects");
        if (index < 0 || index + 1 >= segments.Length)
        {
            return "projects/unknown";
        }

        var project = segments[index + 1];
        return state.FindProject(project) is { } known
            ? "projects/" + known.Number.ToString(CultureInfo.InvariantCulture)
            : "projects/" + project;
    }

    public static Task WriteAsync(HttpContext context, FleetFaults.Fault fault, FleetApi api, string consumer)
    {
        if (fault.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var (service, title) = ServiceOf(api);
        var retry = fault.RetryDelay is { } delay ? [GoogleErrors.RetryInfo(delay)] : Array.Empty<System.Text.Json.Nodes.JsonObject>();
        return fault.Reason switch
        {
            "SERVICE_DISABLED" => GoogleErrors.WriteServiceDisabledAsync(context, service, title, consumer, fault.RetryDelay),
            "ACCESS_TOKEN_SCOPE_INSUFFICIENT" => GoogleErrors.WriteAsync(context, 403,
                "Request had insufficient authentication scopes.", "PERMISSION_DENIED",
                [GoogleErrors.ErrorInfo("ACCESS_TOKEN_SCOPE_INSUFFICIENT", "googleapis.com",
                    ("service", service), ("method", "google.cloud.lab." + api)), .. retry]),
            "ABORTED" => GoogleErrors.WriteAsync(context, 409,
                "The operation was aborted because of a concurrent change; retry the request.", "ABORTED",
                [GoogleErrors.ErrorInfo("ABORTED", service), .. retry]),
            { } other => GoogleErrors.WriteAsync(context, fault.Status, null, null,
                [GoogleErrors.ErrorInfo(other, service), .. retry]),
            null => GoogleErrors.WriteAsync(context, fault.Status, null, null, retry),
        };
    }
}
