using HybridMesh.Models;

namespace HybridMesh.Engine.Google;

/// <summary>
/// The three Google APIs (plus Resource Manager's organisation-policy read) the module uses, sharing one authenticated HTTP client. Creating it resolves endpoints and
/// credentials, so "cannot start" problems (bad endpoint override, no credentials) surface before any cluster work.
/// </summary>
internal sealed class GoogleApis : IDisposable
{
    private readonly GoogleRestClient _client;

    private GoogleApis(GoogleRestClient client, GoogleEndpoints endpoints, TimeSpan pollInterval)
    {
        _client = client;
        ResourceManagerEndpoint = endpoints.ResourceManager;
        ContainerEndpoint = endpoints.Container;
        GkeHubEndpoint = endpoints.GkeHub;
        Projects = new ProjectDirectory(client, endpoints.ResourceManager);
        Clusters = new GkeClusters(client, endpoints.Container);
        Fleet = new Fleet(client, endpoints.GkeHub, pollInterval);
        Policies = new OrgPolicies(client, endpoints.ResourceManager);
    }

    public IProjectDirectory Projects { get; }
    public IGkeClusters Clusters { get; }
    public IFleet Fleet { get; }
    /// <summary>Organisation policies (Resource Manager v1, same endpoint as Projects).</summary>
    public IOrgPolicies Policies { get; }
    public Uri ResourceManagerEndpoint { get; }
    public Uri ContainerEndpoint { get; }
    public Uri GkeHubEndpoint { get; }

    /// <summary>Throws MeshException GoogleEndpointInvalid, AccessTokenEmpty, CredentialsNotFound or CredentialFileInvalid.</summary>
    public static async Task<GoogleApis> ConnectAsync(GoogleApiOptions options, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        var endpoints = GoogleEndpoints.Resolve(options);
        var credential = await GoogleCredentialSource.ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        sink.Debug($"Google APIs: Resource Manager {endpoints.ResourceManager}, GKE {endpoints.Container}, " +
                   $"GKE Hub {endpoints.GkeHub}; credentials: " +
                   (options.AccessToken is null ? "application default" : "access token"));
        return new GoogleApis(new GoogleRestClient(credential, options.Retry, sink), endpoints,
            options.OperationPollInterval);
    }

    public void Dispose() => _client.Dispose();
}
