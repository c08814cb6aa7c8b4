using System.Management.Automation;
using System.Security;
using HybridMesh.Engine.Google;

namespace HybridMesh.Internal;

/// <summary>
/// The Google API parameters, declared once for every cmdlet that calls Google (docs/design/parameters.md). A cmdlet
/// returns one of these objects from <see cref="IDynamicParameters.GetDynamicParameters"/>; PowerShell binds
/// -AccessToken and the endpoints onto it exactly as onto the cmdlet's own properties (same names, types, sets,
/// validation; the help text comes from docs/en-US). A base class cannot carry them: Get-MeshEnvironment derives from
/// MeshCmdlet and the target cmdlets from MeshTargetCmdlet, and most target cmdlets call no Google API.
/// </summary>
/// <remarks>
/// This level holds what a fleet-only caller needs (Test-MeshConnectivity reads GKE Hub memberships and nothing
/// else); <see cref="GoogleParameters"/> adds Resource Manager and GKE. The token stays a SecureString until a
/// request header is written (GoogleApiOptions).
/// </remarks>
public class GkeHubParameters
{
    /// <summary>OAuth2 access token for Google APIs; default: application default credentials.</summary>
    [Parameter]
    public SecureString? AccessToken { get; set; }

    /// <summary>Base URL of GKE Hub (default: HYBRIDMESH_GKEHUB_ENDPOINT, HYBRIDMESH_GOOGLE_API_ENDPOINT, Google).</summary>
    [Parameter]
    public Uri? GkeHubEndpoint { get; set; }

    /// <summary>The one place bound values become the Engine's options (endpoints a cmdlet does not take stay null).</summary>
    internal GoogleApiOptions ToOptions() => new()
    {
        AccessToken = AccessToken,
        ResourceManagerEndpoint = (this as GoogleParameters)?.ResourceManagerEndpoint,
        ContainerEndpoint = (this as GoogleParameters)?.ContainerEndpoint,
        GkeHubEndpoint = GkeHubEndpoint,
    };
}

/// <summary>Every Google parameter: GKE Hub's plus Resource Manager (projects, organisation policy) and GKE.</summary>
public sealed class GoogleParameters : GkeHubParameters
{
    /// <summary>Base URL of Cloud Resource Manager (default: HYBRIDMESH_RESOURCEMANAGER_ENDPOINT, HYBRIDMESH_GOOGLE_API_ENDPOINT, Google).</summary>
    [Parameter]
    public Uri? ResourceManagerEndpoint { get; set; }

    /// <summary>Base URL of the GKE API (default: HYBRIDMESH_CONTAINER_ENDPOINT, HYBRIDMESH_GOOGLE_API_ENDPOINT, Google).</summary>
    [Parameter]
    public Uri? ContainerEndpoint { get; set; }
}
