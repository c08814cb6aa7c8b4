using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>
/// Resolves the base URL of each Google API. Precedence: the explicit option (cmdlet parameter), the API's own
/// variable (HYBRIDMESH_RESOURCEMANAGER_ENDPOINT, HYBRIDMESH_CONTAINER_ENDPOINT, HYBRIDMESH_GKEHUB_ENDPOINT), the
/// shared HYBRIDMESH_GOOGLE_API_ENDPOINT (one Private Service Connect endpoint, or the lab's simulated fleet, serves
/// all three), then Google's public endpoint.
/// </summary>
internal sealed record GoogleEndpoints(Uri ResourceManager, Uri Container, Uri GkeHub)
{
    public const string SharedVariable = "HYBRIDMESH_GOOGLE_API_ENDPOINT";
    public const string ResourceManagerVariable = "HYBRIDMESH_RESOURCEMANAGER_ENDPOINT";
    public const string ContainerVariable = "HYBRIDMESH_CONTAINER_ENDPOINT";
    public const string GkeHubVariable = "HYBRIDMESH_GKEHUB_ENDPOINT";

    public static GoogleEndpoints Resolve(GoogleApiOptions options)
    {
        var read = options.EnvironmentReader ?? Environment.GetEnvironmentVariable;
        var shared = read(SharedVariable);
        return new GoogleEndpoints(
            Pick(options.ResourceManagerEndpoint, read(ResourceManagerVariable), shared,
                "https://cloudresourcemanager.googleapis.com/", ResourceManagerVariable),
            Pick(options.ContainerEndpoint, read(ContainerVariable), shared,
                "https://container.googleapis.com/", ContainerVariable),
            Pick(options.GkeHubEndpoint, read(GkeHubVariable), shared,
                "https://gkehub.googleapis.com/", GkeHubVariable));
    }

    private static Uri Pick(Uri? explicitValue, string? own, string? shared, string fallback, string ownName)
    {
        if (explicitValue is not null)
        {
            return Normalize(explicitValue, "parameter");
        }

        if (!string.IsNullOrWhiteSpace(own))
        {
            return Normalize(Parse(own, ownName), ownName);
        }

        if (!string.IsNullOrWhiteSpace(shared))
        {
            return Normalize(Parse(shared, SharedVariable), SharedVariable);
        }

        return new Uri(fallback);
    }

    private static Uri Parse(string text, string source) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            ? uri
            : throw MeshErrors.GoogleEndpointInvalid(text, source);

    // Relative API paths ("v3/projects/x") are appended, so the base must end with '/' or its last segment is lost.
    private static Uri Normalize(Uri uri, string source)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw MeshErrors.GoogleEndpointInvalid(uri.OriginalString, source);
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
