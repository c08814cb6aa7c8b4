using System.Text.Json;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>container v1 clusters.get: GET v1/projects/{p}/locations/{l}/clusters/{c}.</summary>
internal sealed class GkeClusters : IGkeClusters
{
    private readonly GoogleRestClient _client;
    private readonly Uri _endpoint;

    public GkeClusters(GoogleRestClient client, Uri endpoint)
    {
        _client = client;
        _endpoint = endpoint;
    }

    public async Task<GkeClusterInfo> GetClusterAsync(string project, string location, string cluster,
        CancellationToken cancellationToken)
    {
        var resource = $"projects/{Uri.EscapeDataString(project)}/locations/{Uri.EscapeDataString(location)}" +
                       $"/clusters/{Uri.EscapeDataString(cluster)}";
        var body = await _client.GetAsync(_endpoint, "v1/" + resource,
            new GoogleCall(resource, _ => MeshErrors.GkeClusterNotFound(project, location, cluster)),
            cancellationToken).ConfigureAwait(false);
        return Parse(body, project, location, cluster);
    }

    internal static GkeClusterInfo Parse(JsonElement body, string project, string location, string cluster)
    {
        // "network" is the short name; older or trimmed answers may only carry networkConfig.network
        // (projects/P/global/networks/N), whose last segment is the same name.
        var network = GoogleJson.String(body, "network");
        if (string.IsNullOrEmpty(network) && GoogleJson.String(body, "networkConfig", "network") is { } full)
        {
            network = full[(full.LastIndexOf('/') + 1)..];
        }

        if (string.IsNullOrEmpty(network))
        {
            throw MeshErrors.GoogleApiError($"projects/{project}/locations/{location}/clusters/{cluster}", 200,
                "INVALID_RESPONSE", "GKE answered without the cluster's network.");
        }

        // proto3 JSON leaves out booleans that are false, so only "true" can be read as present. Inside an
        // ipEndpointsConfig that GKE did send, a missing "enabled" or "enablePublicEndpoint" therefore means false
        // (docs/design/google-rest.md); without the object at all we know nothing and fall back on
        // privateClusterConfig.
        var ipEndpoints = GoogleJson.Path(body, "controlPlaneEndpointsConfig", "ipEndpointsConfig") is
            { ValueKind: JsonValueKind.Object } ip ? ip : (JsonElement?)null;
        return new GkeClusterInfo
        {
            Project = project,
            Location = GoogleJson.String(body, "location") ?? location,
            Name = GoogleJson.String(body, "name") ?? cluster,
            SelfLink = GoogleJson.String(body, "selfLink"),
            Status = GoogleJson.String(body, "status"),
            Network = network,
            Subnetwork = GoogleJson.String(body, "subnetwork"),
            NetworkPath = GoogleJson.String(body, "networkConfig", "network"),
            Endpoint = GoogleJson.String(body, "endpoint"),
            PrivateEndpoint = GoogleJson.Bool(body, "privateClusterConfig", "enablePrivateEndpoint") ?? false,
            IpEndpointsEnabled = ipEndpoints is null ? null : GoogleJson.Bool(ipEndpoints.Value, "enabled") ?? false,
            PublicEndpointEnabled = ipEndpoints is null
                ? null
                : GoogleJson.Bool(ipEndpoints.Value, "enablePublicEndpoint") ?? false,
            DnsEndpoint = GoogleJson.String(body, "controlPlaneEndpointsConfig", "dnsEndpointConfig", "endpoint"),
            PrivateNodes = (GoogleJson.Bool(body, "privateClusterConfig", "enablePrivateNodes") ?? false) ||
                           (GoogleJson.Bool(body, "networkConfig", "defaultEnablePrivateNodes") ?? false),
            FleetProject = GoogleJson.String(body, "fleet", "project"),
            FleetMembership = GoogleJson.String(body, "fleet", "membership"),
            WorkloadPool = GoogleJson.String(body, "workloadIdentityConfig", "workloadPool"),
            ResourceLabels = GoogleJson.Map(body, "resourceLabels"),
            LabelFingerprint = GoogleJson.String(body, "labelFingerprint"),
            CurrentMasterVersion = GoogleJson.String(body, "currentMasterVersion"),
        };
    }
}
