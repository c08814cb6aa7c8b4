using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Fleet;

/// <summary>The REST paths of the three APIs, as Google serves them (docs/design/google-rest.md).</summary>
internal sealed partial class FleetRoutes
{
    private readonly FleetState _state;
    private readonly FleetOptions _options;

    public FleetRoutes(FleetState state, FleetOptions options)
    {
        _state = state;
        _options = options;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex MembershipId();

    private const string OrgPolicyVerb = ":getEffectiveOrgPolicy";

    /// <summary>
    /// Resource Manager v1 getEffectiveOrgPolicy (docs/design/google-rest.md): the constraint, an etag and, when a
    /// policy is set, its listPolicy; 403 for a project the caller may not read or whose policies it may not read.
    /// </summary>
    private async Task GetEffectiveOrgPolicyAsync(HttpContext context, string id)
    {
        var project = _state.FindProject(id);
        var (listPolicy, denied) = _state.LoadBalancerPolicy(id);
        if (project is null || project.Denied || denied)
        {
            await GoogleErrors.WritePermissionDeniedAsync(context, "The caller does not have permission",
                "orgpolicy.policy.get", $"projects/{id}", "cloudresourcemanager.googleapis.com").ConfigureAwait(false);
            return;
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?["constraint"]?.GetValue<string>() is not { Length: > 0 } constraint)
        {
            await GoogleErrors.WriteAsync(context, 400, "Request contains an invalid argument.").ConfigureAwait(false);
            return;
        }

        var answer = new JsonObject { ["constraint"] = constraint, ["etag"] = "BwYAAAAAAAA=" };
        if (listPolicy is not null && constraint == "constraints/compute.restrictLoadBalancerCreationForTypes")
        {
            answer["version"] = 1;
            answer["listPolicy"] = listPolicy;
            answer["updateTime"] = "2024-01-15T10:00:00.000Z";
        }

        await GoogleErrors.WriteJsonAsync(context, 200, answer).ConfigureAwait(false);
    }

    /// <summary>
    /// Which API a path belongs to. All three share one host here (as with HYBRIDMESH_GOOGLE_API_ENDPOINT), so
    /// v1/projects/*/locations/*/operations/* is GKE Hub's; the lab serves no container operations.
    /// </summary>
    public static FleetApi Classify(string[] s, string method)
    {
        if (s is ["token"])
        {
            return FleetApi.Token;
        }

        if (s is ["v3", "projects", _] ||
            (s is ["v1", "projects", var target] && target.EndsWith(OrgPolicyVerb, StringComparison.Ordinal)))
        {
            return FleetApi.ResourceManager;
        }

        if (s is ["v1", "projects", _, "locations", _, "clusters", _])
        {
            return FleetApi.Container;
        }

        if (s is ["v1", "projects", _, "locations", _, "memberships", ..] or
            ["v1", "projects", _, "locations", _, "operations", _])
        {
            return FleetApi.GkeHub;
        }

        return FleetApi.Unknown;
    }

    public Task DispatchAsync(HttpContext context, FleetApi api, string[] s)
    {
        var method = context.Request.Method;
        return (api, method, s) switch
        {
            (FleetApi.ResourceManager, "GET", ["v3", _, var id]) => GetProjectAsync(context, id),
            (FleetApi.ResourceManager, "POST", ["v1", _, var target]) => GetEffectiveOrgPolicyAsync(context, target[..^OrgPolicyVerb.Length]),
            (FleetApi.Container, "GET", [_, _, var p, _, var l, _, var c]) => GetClusterAsync(context, p, l, c),
            (FleetApi.GkeHub, "GET", [_, _, var p, _, var l, "memberships", var id]) =>
                GetMembershipAsync(context, p, l, id),
            (FleetApi.GkeHub, "GET", [_, _, var p, _, var l, "memberships"]) => ListMembershipsAsync(context, p, l),
            (FleetApi.GkeHub, "POST", [_, _, var p, _, var l, "memberships"]) => CreateMembershipAsync(context, p, l),
            (FleetApi.GkeHub, "GET", [_, _, var p, _, var l, "operations", var op]) =>
                GetOperationAsync(context, p, l, op),
            (FleetApi.Unknown, _, _) => GoogleErrors.WriteAsync(context, 404,
                $"The requested URL {context.Request.Path} was not found on this server."),
            _ => GoogleErrors.WriteAsync(context, 405, $"Method {method} is not supported here."),
        };
    }

    private Task GetProjectAsync(HttpContext context, string id)
    {
        var project = _state.FindProject(id);
        if (project is null || project.Denied)
        {
            // Resource Manager does not say whether a project exists to a caller who may not read it: an unknown
            // project and a hidden one get the same 403 (docs/design/google-rest.md).
            return GoogleErrors.WritePermissionDeniedAsync(context,
                $"Permission 'resourcemanager.projects.get' denied on resource " +
                $"'//cloudresourcemanager.googleapis.com/projects/{id}' (or it may not exist).",
                "resourcemanager.projects.get", $"projects/{id}", "cloudresourcemanager.googleapis.com");
        }

        return GoogleErrors.WriteJsonAsync(context, 200, new JsonObject
        {
            ["name"] = "projects/" + project.Number.ToString(CultureInfo.InvariantCulture),
            ["parent"] = "organizations/123456789012",
            ["projectId"] = project.Id,
            ["state"] = "ACTIVE",
            ["displayName"] = project.Id,
            ["createTime"] = "2024-01-15T10:00:00.000Z",
            ["updateTime"] = "2024-01-15T10:00:00.000Z",
            ["etag"] = "W/\"" + project.Number.ToString("x", CultureInfo.InvariantCulture) + "\"",
        });
    }

    private Task GetClusterAsync(HttpContext context, string project, string location, string name)
    {
        if (_state.IsDenied(project))
        {
            return GoogleErrors.WriteAsync(context, 403,
                $"Required \"container.clusters.get\" permission(s) for \"projects/{project}/locations/{location}/clusters/{name}\".");
        }

        var cluster = _state.FindCluster(project, location, name);
        return cluster is null
            ? GoogleErrors.WriteAsync(context, 404, $"Not found: projects/{project}/locations/{location}/clusters/{name}.")
            : GoogleErrors.WriteJsonAsync(context, 200, cluster.Render());
    }

    private Task GetMembershipAsync(HttpContext context, string project, string location, string id)
    {
        if (_state.IsDenied(project))
        {
            return GoogleErrors.WritePermissionDeniedAsync(context,
                $"Permission 'gkehub.memberships.get' denied on 'projects/{project}/locations/{location}/memberships/{id}'", "gkehub.memberships.get",
                $"projects/{project}/locations/{location}/memberships/{id}");
        }

        var name = $"projects/{project}/locations/{location}/memberships/{id}";
        var membership = _state.FindMembership(name);
        return membership is null
            ? GoogleErrors.WriteAsync(context, 404, $"Resource '{name}' was not found")
            : GoogleErrors.WriteJsonAsync(context, 200, membership);
    }

    private Task ListMembershipsAsync(HttpContext context, string project, string location)
    {
        if (_state.IsDenied(project))
        {
            return GoogleErrors.WritePermissionDeniedAsync(context,
                $"Permission 'gkehub.memberships.list' denied on 'projects/{project}/locations/{location}/memberships'", "gkehub.memberships.list",
                $"projects/{project}/locations/{location}/memberships");
        }

        var all = _state.ListMemberships(project, location);
        var size = int.TryParse(context.Request.Query["pageSize"], out var requested) && requested > 0
            ? requested
            : _options.DefaultPageSize;
        var offset = 0;
        if (context.Request.Query["pageToken"].ToString() is { Length: > 0 } token &&
            !int.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), out offset))
        {
            return GoogleErrors.WriteAsync(context, 400, "Invalid page token.");
        }

        var page = new JsonArray(all.Skip(offset).Take(size).Select(m => (JsonNode)m).ToArray());
        var body = new JsonObject { ["resources"] = page };
        if (_state.UnreachableFor(project, location) is { Count: > 0 } unreachable)
        {
            body["unreachable"] = new JsonArray(unreachable.Select(u => (JsonNode)u).ToArray());
        }

        if (offset + size < all.Count)
        {
            body["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(
                (offset + size).ToString(CultureInfo.InvariantCulture)));
        }

        return GoogleErrors.WriteJsonAsync(context, 200, body);
    }

    private async Task CreateMembershipAsync(HttpContext context, string project, string location)
    {
        if (_state.IsDenied(project))
        {
            await GoogleErrors.WritePermissionDeniedAsync(context,
                $"Permission 'gkehub.memberships.create' denied on 'projects/{project}/locations/{location}/memberships'", "gkehub.memberships.create",
                $"projects/{project}/locations/{location}/memberships")
                .ConfigureAwait(false);
            return;
        }

        var id = context.Request.Query["membershipId"].ToString();
        if (!MembershipId().IsMatch(id))
        {
            await GoogleErrors.WriteAsync(context, 400,
                $"Invalid membershipId '{id}': must be an RFC 1123 label of at most 63 characters.").ConfigureAwait(false);
            return;
        }

        JsonObject body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body,
                cancellationToken: context.RequestAborted).ConfigureAwait(false) ?? new JsonObject();
        }
        catch (JsonException)
        {
            await GoogleErrors.WriteAsync(context, 400, "Invalid JSON payload received.").ConfigureAwait(false);
            return;
        }

        var requestId = context.Request.Query["requestId"].ToString();
        var operation = _state.StartCreate(project, location, id, body, requestId.Length > 0 ? requestId : null,
            _options.OperationDelay);
        if (operation is null)
        {
            await GoogleErrors.WriteAsync(context, 409,
                $"Resource 'projects/{project}/locations/{location}/memberships/{id}' already exists", "ALREADY_EXISTS")
                .ConfigureAwait(false);
            return;
        }

        await GoogleErrors.WriteJsonAsync(context, 200, operation).ConfigureAwait(false);
    }

    private Task GetOperationAsync(HttpContext context, string project, string location, string op)
    {
        var name = $"projects/{project}/locations/{location}/operations/{op}";
        var operation = _state.FindOperation(name);
        return operation is null
            ? GoogleErrors.WriteAsync(context, 404, $"Operation '{name}' was not found")
            : GoogleErrors.WriteJsonAsync(context, 200, operation);
    }
}
