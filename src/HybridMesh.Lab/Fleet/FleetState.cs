using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Fleet;

/// <summary>What the simulated fleet knows: projects, GKE clusters, memberships and GKE Hub operations.</summary>
internal sealed class FleetState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LabProject> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LabCluster> _clusters = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, JsonObject> _memberships = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LabOperation> _operations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _requestIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unreachable = new(StringComparer.Ordinal);

    /// <summary>See FleetServer.ReplayedCreatesConflict.</summary>
    public bool ReplayedCreatesConflict { get; set; }

    /// <summary>Projects, clusters, memberships and org policies as they are now (for <see cref="Restore"/>).</summary>
    public FleetCheckpoint Checkpoint()
    {
        lock (_gate)
        {
            return new FleetCheckpoint(new Dictionary<string, LabProject>(_projects, StringComparer.Ordinal),
                new Dictionary<string, LabCluster>(_clusters, StringComparer.Ordinal),
                _memberships.ToDictionary(kv => kv.Key, kv => (JsonObject)kv.Value.DeepClone(), StringComparer.Ordinal),
                _loadBalancerPolicies.ToDictionary(kv => kv.Key, kv => (JsonObject)kv.Value.DeepClone(), StringComparer.Ordinal),
                _policyReadDenied.ToArray());
        }
    }

    /// <summary>Back to a checkpoint: what was added since is gone, operations and request ids forgotten, every location reachable.</summary>
    public void Restore(FleetCheckpoint checkpoint)
    {
        lock (_gate)
        {
            _projects.Clear();
            foreach (var (k, v) in checkpoint.Projects) _projects[k] = v;
            _clusters.Clear();
            foreach (var (k, v) in checkpoint.Clusters) _clusters[k] = v;
            _memberships.Clear();
            foreach (var (k, v) in checkpoint.Memberships) _memberships[k] = (JsonObject)v.DeepClone();
            _loadBalancerPolicies.Clear();
            foreach (var (k, v) in checkpoint.LoadBalancerPolicies) _loadBalancerPolicies[k] = (JsonObject)v.DeepClone();
            _policyReadDenied.Clear();
            _policyReadDenied.UnionWith(checkpoint.PolicyReadDenied);
            _operations.Clear();
            _requestIds.Clear();
            _unreachable.Clear();
            ReplayedCreatesConflict = false;
        }
    }

    internal sealed record FleetCheckpoint(IReadOnlyDictionary<string, LabProject> Projects,
        IReadOnlyDictionary<string, LabCluster> Clusters, IReadOnlyDictionary<string, JsonObject> Memberships,
        IReadOnlyDictionary<string, JsonObject> LoadBalancerPolicies, IReadOnlyCollection<string> PolicyReadDenied);

    public void SetUnreachable(IEnumerable<string> locations)
    {
        lock (_gate)
        {
            _unreachable.Clear();
            _unreachable.UnionWith(locations);
        }
    }

    /// <summary>The locations a list over "-" could not reach, as full names projects/P/locations/L.</summary>
    public IReadOnlyList<string> UnreachableFor(string project, string location)
    {
        lock (_gate)
        {
            return location == "-"
                ? _unreachable.Order(StringComparer.Ordinal).Select(l => $"projects/{project}/locations/{l}").ToArray()
                : [];
        }
    }

    private readonly Dictionary<string, JsonObject> _loadBalancerPolicies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _policyReadDenied = new(StringComparer.Ordinal);

    /// <summary>The listPolicy of restrictLoadBalancerCreationForTypes for a project (null: none set); or 403 on reading it.</summary>
    public void SetLoadBalancerPolicy(string projectId, JsonObject? listPolicy, bool readDenied)
    {
        lock (_gate)
        {
            if (listPolicy is null) _loadBalancerPolicies.Remove(projectId);
            else _loadBalancerPolicies[projectId] = (JsonObject)listPolicy.DeepClone();
            if (readDenied) _policyReadDenied.Add(projectId);
            else _policyReadDenied.Remove(projectId);
        }
    }

    public (JsonObject? ListPolicy, bool Denied) LoadBalancerPolicy(string projectId)
    {
        lock (_gate)
        {
            return (_loadBalancerPolicies.TryGetValue(projectId, out var p) ? (JsonObject)p.DeepClone() : null,
                _policyReadDenied.Contains(projectId));
        }
    }

    public void AddProject(string projectId, long number, bool denied)
    {
        lock (_gate)
        {
            _projects[projectId] = new LabProject(projectId, number, denied);
        }
    }

    /// <summary>A project by id or by number; null when unknown.</summary>
    public LabProject? FindProject(string idOrNumber)
    {
        lock (_gate)
        {
            if (_projects.TryGetValue(idOrNumber, out var project))
            {
                return project;
            }

            return long.TryParse(idOrNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? _projects.Values.FirstOrDefault(p => p.Number == number)
                : null;
        }
    }

    /// <summary>A project the caller may not see (AddProject(..., denied: true)).</summary>
    public bool IsDenied(string idOrNumber) => FindProject(idOrNumber)?.Denied == true;

    public void AddCluster(LabCluster cluster)
    {
        lock (_gate)
        {
            _clusters[ClusterKey(cluster.Project, cluster.Location, cluster.Name)] = cluster;
        }
    }

    public LabCluster? FindCluster(string project, string location, string name)
    {
        lock (_gate)
        {
            return _clusters.GetValueOrDefault(ClusterKey(project, location, name));
        }
    }

    public void PutMembership(JsonObject membership)
    {
        lock (_gate)
        {
            _memberships[(string)membership["name"]!] = membership;
        }
    }

    public JsonObject? FindMembership(string name)
    {
        lock (_gate)
        {
            CompleteDueOperations();
            return _memberships.TryGetValue(name, out var m) ? (JsonObject)m.DeepClone() : null;
        }
    }

    /// <summary>Memberships under projects/{p}/locations/{l} ("-" = every location), ordered by name.</summary>
    public IReadOnlyList<JsonObject> ListMemberships(string project, string location)
    {
        lock (_gate)
        {
            CompleteDueOperations();
            var prefix = $"projects/{project}/locations/";
            return _memberships
                .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) &&
                             (location == "-" || kv.Key.StartsWith(prefix + location + "/", StringComparison.Ordinal)) &&
                             !(location == "-" && _unreachable.Any(u =>
                                 kv.Key.StartsWith(prefix + u + "/", StringComparison.Ordinal))))
                .Select(kv => (JsonObject)kv.Value.DeepClone())
                .ToArray();
        }
    }

    /// <summary>
    /// Starts a create: the membership exists at once in state CREATING; the operation is done, and the membership
    /// READY, after <paramref name="delay"/>. Returns null when the name is taken (and the request id is new, or
    /// <see cref="ReplayedCreatesConflict"/> is set).
    /// </summary>
    public JsonObject? StartCreate(string project, string location, string id, JsonObject body, string? requestId,
        TimeSpan delay)
    {
        lock (_gate)
        {
            CompleteDueOperations();
            // Same request id again: the client retried after losing our answer; hand back the same operation.
            if (requestId is not null && _requestIds.TryGetValue(requestId, out var known))
            {
                return ReplayedCreatesConflict ? null : _operations[known].Render();
            }

            var name = $"projects/{project}/locations/{location}/memberships/{id}";
            if (_memberships.ContainsKey(name))
            {
                return null;
            }

            var now = DateTimeOffset.UtcNow;
            var membership = (JsonObject)body.DeepClone();
            membership["name"] = name;
            membership["state"] = new JsonObject { ["code"] = "CREATING" };
            membership["createTime"] = Timestamp(now);
            membership["updateTime"] = Timestamp(now);
            membership["uniqueId"] = Guid.NewGuid().ToString();
            _memberships[name] = membership;

            var operationName = $"projects/{project}/locations/{location}/operations/operation-" +
                                $"{now.ToUnixTimeMilliseconds()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            var operation = new LabOperation(operationName, name, now, now + delay);
            _operations[operationName] = operation;
            if (requestId is not null)
            {
                _requestIds[requestId] = operationName;
            }

            return operation.Render();
        }
    }

    public JsonObject? FindOperation(string name)
    {
        lock (_gate)
        {
            CompleteDueOperations();
            return _operations.TryGetValue(name, out var op) ? op.Render() : null;
        }
    }

    // Called under the lock before every read, so time alone moves operations forward.
    private void CompleteDueOperations()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var op in _operations.Values.Where(o => o.Response is null && o.DoneAt <= now))
        {
            if (_memberships.TryGetValue(op.Target, out var membership))
            {
                membership["state"] = new JsonObject { ["code"] = "READY" };
                membership["updateTime"] = Timestamp(now);
                var response = (JsonObject)membership.DeepClone();
                response.Insert(0, "@type", "type.googleapis.com/google.cloud.gkehub.v1.Membership");
                op.Response = response;
                op.EndTime = now;
            }
        }
    }

    internal static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string ClusterKey(string project, string location, string name) => $"{project}/{location}/{name}";

    internal sealed record LabProject(string Id, long Number, bool Denied);

    internal sealed class LabOperation(string name, string target, DateTimeOffset created, DateTimeOffset doneAt)
    {
        public string Name { get; } = name;
        public string Target { get; } = target;
        public DateTimeOffset DoneAt { get; } = doneAt;
        public JsonObject? Response { get; set; }
        public DateTimeOffset? EndTime { get; set; }

        public JsonObject Render()
        {
            var metadata = new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.cloud.gkehub.v1.OperationMetadata",
                ["createTime"] = Timestamp(created),
                ["target"] = Target,
                ["verb"] = "create",
                ["cancelRequested"] = false,
                ["apiVersion"] = "v1",
            };
            if (EndTime is { } end)
            {
                metadata["endTime"] = Timestamp(end);
            }

            var result = new JsonObject { ["name"] = Name, ["metadata"] = metadata, ["done"] = Response is not null };
            if (Response is not null)
            {
                result["response"] = Response.DeepClone();
            }

            return result;
        }
    }
}

/// <summary>A simulated GKE cluster; rendered in the container v1 Cluster shape.</summary>
public sealed class LabCluster
{
    public required string Project { get; init; }
    public required string Location { get; init; }
    public required string Name { get; init; }
    public required string Network { get; init; }
    public string Subnetwork { get; init; } = "default";
    /// <summary>The project owning the VPC: a Shared VPC host project, else (null) the cluster's own.</summary>
    public string? NetworkProject { get; init; }
    public string Endpoint { get; init; } = "203.0.113.10";
    public bool PrivateEndpoint { get; init; }
    public bool PrivateNodes { get; init; }
    public string Status { get; init; } = "RUNNING";
    public string? FleetProject { get; init; }
    public string? FleetMembership { get; init; }
    public IReadOnlyDictionary<string, string> ResourceLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Workload Identity on (workloadIdentityConfig.workloadPool = P.svc.id.goog); off leaves it out.</summary>
    public bool WorkloadIdentity { get; init; } = true;

    /// <summary>A control plane with no IP endpoints, reached only through its DNS endpoint.</summary>
    public bool DnsOnly { get; init; }

    internal JsonObject Render()
    {
        var region = Location.Count(c => c == '-') >= 2 ? Location[..Location.LastIndexOf('-')] : Location;
        var labels = new JsonObject();
        foreach (var (k, v) in ResourceLabels)
        {
            labels[k] = v;
        }

        // proto3 JSON: false booleans and empty messages are left out, as GKE leaves them out
        // (docs/design/google-rest.md) — a client must not read "absent" as "unknown".
        var privateEndpointAddress = "10.0.0.2";
        var networkConfig = new JsonObject
        {
            ["network"] = $"projects/{NetworkProject ?? Project}/global/networks/{Network}",
            ["subnetwork"] = $"projects/{Project}/regions/{region}/subnetworks/{Subnetwork}",
        };
        var privateClusterConfig = new JsonObject { ["privateEndpoint"] = privateEndpointAddress };
        if (PrivateNodes)
        {
            networkConfig["defaultEnablePrivateNodes"] = true;
            privateClusterConfig["enablePrivateNodes"] = true;
        }

        if (PrivateEndpoint)
        {
            privateClusterConfig["enablePrivateEndpoint"] = true;
        }
        else if (!DnsOnly)
        {
            privateClusterConfig["publicEndpoint"] = Endpoint;
        }

        var ipEndpoints = new JsonObject();
        if (!DnsOnly)
        {
            ipEndpoints["enabled"] = true;
            ipEndpoints["privateEndpoint"] = privateEndpointAddress;
            if (!PrivateEndpoint)
            {
                ipEndpoints["enablePublicEndpoint"] = true;
                ipEndpoints["publicEndpoint"] = Endpoint;
            }
        }

        var cluster = new JsonObject
        {
            ["name"] = Name,
            ["network"] = Network,
            ["subnetwork"] = Subnetwork,
            ["masterAuth"] = new JsonObject { ["clusterCaCertificate"] = "" },
            ["networkConfig"] = networkConfig,
            ["privateClusterConfig"] = privateClusterConfig,
            ["controlPlaneEndpointsConfig"] = new JsonObject
            {
                ["dnsEndpointConfig"] = new JsonObject
                {
                    ["endpoint"] = $"gke-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Name)))[..32]}-{region}.{region}.gke.goog",
                },
                ["ipEndpointsConfig"] = ipEndpoints,
            },
            ["resourceLabels"] = labels,
            ["labelFingerprint"] = Convert.ToHexStringLower(
                SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(labels.ToJsonString())))[..16],
            ["selfLink"] = $"https://container.googleapis.com/v1/projects/{Project}/locations/{Location}/clusters/{Name}",
            ["zone"] = Location,
            ["location"] = Location,
            ["status"] = Status,
            ["currentMasterVersion"] = "1.32.4-gke.1106006",
        };
        if (!DnsOnly)
        {
            cluster["endpoint"] = PrivateEndpoint ? privateEndpointAddress : Endpoint;
        }

        if (DnsOnly)
        {
            cluster["controlPlaneEndpointsConfig"]!["dnsEndpointConfig"]!["allowExternalTraffic"] = true;
        }

        if (WorkloadIdentity)
        {
            cluster["workloadIdentityConfig"] = new JsonObject { ["workloadPool"] = $"{Project}.svc.id.goog" };
        }

        if (FleetProject is not null)
        {
            cluster["fleet"] = new JsonObject
            {
                ["project"] = FleetProject,
                ["membership"] = FleetMembership,
            };
        }

        return cluster;
    }
}
