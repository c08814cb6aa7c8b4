using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>GKE Hub v1 over REST: v1/projects/{p}/locations/{l}/memberships[/{id}] and operations.</summary>
internal sealed class Fleet : IFleet
{
    private readonly GoogleRestClient _client;
    private readonly Uri _endpoint;
    private readonly TimeSpan _pollInterval;

    public Fleet(GoogleRestClient client, Uri endpoint, TimeSpan? pollInterval = null)
    {
        _client = client;
        _endpoint = endpoint;
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(2);
    }

    public async Task<FleetMembership> GetMembershipAsync(string project, string location, string membershipId,
        CancellationToken cancellationToken)
    {
        var resource = $"{Parent(project, location)}/memberships/{Uri.EscapeDataString(membershipId)}";
        var body = await _client.GetAsync(_endpoint, "v1/" + resource,
            new GoogleCall(resource, _ => MeshErrors.MembershipNotFound(project, location, membershipId)),
            cancellationToken).ConfigureAwait(false);
        return ParseMembership(body);
    }

    public async Task<IReadOnlyList<FleetMembership>> ListMembershipsAsync(string project, string location,
        CancellationToken cancellationToken)
    {
        var resource = Parent(project, location) + "/memberships";
        var result = new List<FleetMembership>();
        var unreachable = new SortedSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        do
        {
            var path = "v1/" + resource + (pageToken is null ? "" : "?pageToken=" + Uri.EscapeDataString(pageToken));
            var body = await _client.GetAsync(_endpoint, path,
                new GoogleCall(resource, _ => MeshErrors.ProjectNotFound(project)), cancellationToken).ConfigureAwait(false);
            if (GoogleJson.Path(body, "resources") is { ValueKind: JsonValueKind.Array } items)
            {
                result.AddRange(items.EnumerateArray().Select(ParseMembership));
            }

            // Locations GKE Hub could not reach: the list is partial, and "not in the list" proves nothing.
            if (GoogleJson.Path(body, "unreachable") is { ValueKind: JsonValueKind.Array } gaps)
            {
                unreachable.UnionWith(gaps.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.String)
                    .Select(g => g.GetString()!));
            }

            pageToken = GoogleJson.String(body, "nextPageToken");
        }
        while (!string.IsNullOrEmpty(pageToken));

        if (unreachable.Count > 0)
        {
            throw MeshErrors.FleetLocationsUnreachable(project, unreachable.ToArray());
        }

        return result;
    }

    public async Task<FleetOperation> CreateMembershipAsync(string project, string location, string membershipId,
        FleetMembershipSpec spec, CancellationToken cancellationToken)
    {
        var resource = Parent(project, location) + "/memberships";
        var requestId = Guid.NewGuid().ToString();
        var path = $"v1/{resource}?membershipId={Uri.EscapeDataString(membershipId)}&requestId={requestId}";
        // Only 409 ALREADY_EXISTS means "that name exists" (the caller then checks whose it is, as gcloud does);
        // 409 ABORTED is retried by the client with the same requestId (docs/design/fleet-registration.md).
        var call = new GoogleCall($"{resource}/{membershipId}", _ => MeshErrors.ProjectNotFound(project),
            _ => MeshErrors.MembershipExists(project, location, membershipId));
        var body = await _client.SendAsync(HttpMethod.Post, _endpoint, path, MembershipBody(spec), call,
            cancellationToken).ConfigureAwait(false);
        return ParseOperation(body);
    }

    public async Task<FleetOperation> GetOperationAsync(string operationName, CancellationToken cancellationToken)
    {
        var body = await _client.GetAsync(_endpoint, "v1/" + operationName, new GoogleCall(operationName),
            cancellationToken).ConfigureAwait(false);
        return ParseOperation(body);
    }

    public async Task<FleetOperation> WaitForOperationAsync(FleetOperation operation, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var current = operation;
        while (!current.Done)
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw MeshErrors.FleetOperationTimeout(current.Name, timeout);
            }

            await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
            current = await GetOperationAsync(current.Name, cancellationToken).ConfigureAwait(false);
        }

        if (current.ErrorCode is not null)
        {
            throw MeshErrors.FleetOperationFailed(current.Name, current.ErrorCode.Value, current.ErrorMessage ?? "");
        }

        return current;
    }

    private static string Parent(string project, string location) =>
        $"projects/{Uri.EscapeDataString(project)}/locations/{(location == "-" ? "-" : Uri.EscapeDataString(location))}";

    // Shape of `gcloud container fleet memberships register --gke-uri ... --enable-workload-identity` (spec F.2).
    internal static JsonObject MembershipBody(FleetMembershipSpec spec)
    {
        var body = new JsonObject();
        if (spec.GkeResourceLink is not null)
        {
            body["endpoint"] = new JsonObject
            {
                ["gkeCluster"] = new JsonObject { ["resourceLink"] = spec.GkeResourceLink },
            };
        }

        if (spec.Issuer is not null)
        {
            body["authority"] = new JsonObject { ["issuer"] = spec.Issuer };
        }

        if (spec.ExternalId is not null)
        {
            body["externalId"] = spec.ExternalId;
        }

        if (spec.Labels.Count > 0)
        {
            var labels = new JsonObject();
            foreach (var (key, value) in spec.Labels)
            {
                labels[key] = value;
            }

            body["labels"] = labels;
        }

        return body;
    }

    internal static FleetMembership ParseMembership(JsonElement body) => new()
    {
        Name = GoogleJson.String(body, "name") ?? "",
        State = GoogleJson.String(body, "state", "code") ?? "CODE_UNSPECIFIED",
        GkeResourceLink = GoogleJson.String(body, "endpoint", "gkeCluster", "resourceLink"),
        OnPremResourceLink = GoogleJson.String(body, "endpoint", "onPremCluster", "resourceLink"),
        ExternalId = GoogleJson.String(body, "externalId"),
        Issuer = GoogleJson.String(body, "authority", "issuer"),
        UniqueId = GoogleJson.String(body, "uniqueId"),
        CreateTime = GoogleJson.Time(body, "createTime"),
        Labels = GoogleJson.Map(body, "labels"),
    };

    internal static FleetOperation ParseOperation(JsonElement body)
    {
        var done = GoogleJson.Bool(body, "done") ?? false;
        var error = GoogleJson.Path(body, "error");
        int? code = error is { ValueKind: JsonValueKind.Object } e &&
                    e.TryGetProperty("code", out var c) && c.TryGetInt32(out var value) ? value : null;
        var response = GoogleJson.Path(body, "response");
        return new FleetOperation
        {
            Name = GoogleJson.String(body, "name") ?? "",
            Done = done,
            ErrorCode = error is null ? null : code ?? 2, // google.rpc.Code UNKNOWN when the code is missing
            ErrorMessage = error is null ? null : GoogleJson.String(error.Value, "message"),
            Membership = done && error is null && response is { ValueKind: JsonValueKind.Object } r &&
                         GoogleJson.String(r, "name") is not null
                ? ParseMembership(r)
                : null,
            Target = GoogleJson.String(body, "metadata", "target"),
        };
    }
}
