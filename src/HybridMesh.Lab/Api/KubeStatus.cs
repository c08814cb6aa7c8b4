using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>An API answer that is a metav1.Status failure; thrown anywhere in request handling.</summary>
public sealed class KubeApiException(int code, JsonObject status) : Exception((string?)status["message"])
{
    public int Code { get; } = code;
    public JsonObject Status { get; } = status;
    /// <summary>Extra response headers (Retry-After for injected 429s).</summary>
    public Dictionary<string, string> Headers { get; } = new();
}

/// <summary>
/// Builders for the Status bodies the real API server sends (docs/design/kube-api-answers.md §2-§8): which of reason,
/// details.kind (plural vs Kind), details.group and causes each error carries differs per error, so each has a
/// builder here instead of one generic shape.
/// </summary>
public static class KubeStatus
{
    public static JsonObject Failure(string message, string? reason, int code, JsonObject? details = null)
    {
        var s = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
            ["message"] = message,
        };
        if (reason is not null) s["reason"] = reason;
        if (details is not null) s["details"] = details;
        s["code"] = code;
        return s;
    }

    public static JsonObject Success(string name, string group, string plural, string? uid)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0) details["group"] = group;
        details["kind"] = plural;
        if (uid is not null) details["uid"] = uid;
        return new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static JsonObject Details(string? name, string group, string kind, JsonArray? causes = null)
    {
        var d = new JsonObject();
        if (name is not null) d["name"] = name;
        if (group.Length > 0) d["group"] = group;
        d["kind"] = kind;
        if (causes is not null) d["causes"] = causes;
        return d;
    }

    /// <summary>"configmaps" or "gateways.networking.istio.io", the way messages qualify a resource.</summary>
    public static string Qualified(string plural, string group) => group.Length == 0 ? plural : $"{plural}.{group}";

    public static KubeApiException NotFound(string plural, string group, string name) =>
        new(404, Failure($"{Qualified(plural, group)} \"{name}\" not found", "NotFound", 404, Details(name, group, plural)));

    public static KubeApiException AlreadyExists(string plural, string group, string name) =>
        new(409, Failure($"{Qualified(plural, group)} \"{name}\" already exists", "AlreadyExists", 409, Details(name, group, plural)));

    public static KubeApiException Conflict(string plural, string group, string name) =>
        new(409, Failure(
            $"Operation cannot be fulfilled on {Qualified(plural, group)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            "Conflict", 409, Details(name, group, plural)));

    public static KubeApiException BadRequest(string message) => new(400, Failure(message, "BadRequest", 400));

    public static KubeApiException UnsupportedMediaType() =>
        new(415, Failure("415: Unsupported Media Type", "UnsupportedMediaType", 415, new JsonObject()));

    public static KubeApiException MethodNotAllowed() =>
        new(405, Failure("the server does not allow this method on the requested resource", "MethodNotAllowed", 405, new JsonObject()));

    public static KubeApiException Unauthorized() => new(401, Failure("Unauthorized", "Unauthorized", 401));

    public static KubeApiException InternalError(string message) => new(500, Failure(message, null, 500));

    /// <summary>One field error for a 422: reason FieldValueInvalid/FieldValueRequired, field path, message.</summary>
    public sealed record Cause(string Reason, string Field, string Message);

    /// <summary>422 Invalid: details.kind is the Kind (not the plural); the message repeats every cause.</summary>
    public static KubeApiException Invalid(string kind, string group, string? name, IReadOnlyList<Cause> causes)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        var parts = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        var joined = parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]";
        var array = new JsonArray();
        foreach (var c in causes)
            array.Add(new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field });
        return new(422, Failure($"{qualifiedKind} \"{name ?? ""}\" is invalid: {joined}", "Invalid", 422, Details(name, group, kind, array)));
    }

    public static KubeApiException Forbidden(string user, string verb, string plural, string subresource, string group, string? ns, string? name)
    {
        var resource = subresource.Length == 0 ? plural : $"{plural}/{subresource}";
        var subject = name is null ? Qualified(plural, group) : $"{Qualified(plural, group)} \"{name}\"";
        var scope = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
        var message = $"{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}";
        return new(403, Failure(message, "Forbidden", 403, Details(name, group, plural)));
    }

    public static KubeApiException ForbiddenPath(string user, string verb, string path) =>
        new(403, Failure($"forbidden: User \"{user}\" cannot {verb} path \"{path}\"", "Forbidden", 403, new JsonObject()));

    public static KubeApiException NamespaceTerminating(string plural, string group, string name, string ns)
    {
        var causes = new JsonArray
        {
            new JsonObject
            {
                ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated",
                ["field"] = "metadata.namespace",
            },
        };
        return new(403, Failure(
            $"{Qualified(plural, group)} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
            "Forbidden", 403, Details(name, group, plural, causes)));
    }

    /// <summary>Server-side apply conflict: message lists managers in the order given, causes sorted by field.</summary>
    public static KubeApiException ApplyConflict(IReadOnlyList<(string Manager, string Field)> conflicts)
    {
        var byManager = conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var g in byManager)
        {
            lines.Add($"conflicts with {g.Key}:");
            lines.AddRange(g.Select(c => "- " + c.Field));
        }
        var causes = new JsonArray();
        foreach (var c in conflicts.OrderBy(c => c.Field, StringComparer.Ordinal))
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {c.Manager}", ["field"] = c.Field });
        var noun = conflicts.Count == 1 ? "conflict" : "conflicts";
        return new(409, Failure($"Apply failed with {conflicts.Count} {noun}: {string.Join("\n", lines)}", "Conflict", 409,
            new JsonObject { ["causes"] = causes }));
    }
}
