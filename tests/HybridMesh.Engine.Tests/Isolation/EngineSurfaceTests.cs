using HybridMesh.Engine.Steps.Environment;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Tests.Isolation;

/// <summary>
/// The Engine's public surface is one façade per step and the requests, options and results those façades take
/// (docs/design/assemblies.md); everything else is internal. The cmdlet assembly and these tests see internals
/// through InternalsVisibleTo, so a helper made public "to be reachable" is never needed.
/// </summary>
public class EngineSurfaceTests
{
    private static readonly string[] Expected =
    [
        // Contracts between the cmdlets and every step.
        "IMeshSink", "MeshTarget", "KubeSessionOptions", "GoogleApiOptions", "GoogleRetryOptions",
        // Get-MeshCluster, Get-MeshEnvironment.
        "ClusterDiscovery", "ClusterQuery", "ClusterInspector", "EnvironmentResolver", "EnvironmentRequest",
        // Install/Uninstall-EastWestGateway, Publish/Unpublish-MeshService.
        "GatewayInstaller", "GatewayInstallRequest", "EastWestGatewayOptions", "GatewayRemover",
        "ServiceExposer", "ServiceExposurePlanner", "CrossNetworkGatewayOptions", "ManifestDocument",
        // New-MeshCertificateAuthority, Install-MeshCertificate.
        "CertificateAuthorities", "CertificateInstaller", "CertificateInstallRequest",
        // New-Mesh, Remove-Mesh.
        "MeshCreator", "MeshRequest", "MeshResult", "MeshRemover", "MeshRemovalRequest", "IstiodRestarter", "IstiodSyncWaiter",
        // Get-MeshLink, Update-MeshLinkCredential.
        "LinkInventory", "LinkInventoryRequest", "CredentialRotator", "LinkRotationRequest", "ILinkSyncReader",
        "IstiodLinkSyncReader", "LinkSyncView",
        // Test-MeshPrerequisite, Test-MeshConnectivity (with -Traffic, the in-cluster probe and the JUnit report).
        "PrerequisiteChecker", "PrerequisiteOptions", "MeshChecker", "MeshCheckOptions", "TrafficTester", "TrafficOptions",
        "ProbeOptions", "JUnitReport",
    ];

    [Fact]
    public void Engine_exports_only_step_facades_and_what_they_take()
    {
        var exported = typeof(MeshTarget).Assembly.GetExportedTypes().Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();

        var extra = exported.Except(Expected).ToArray();
        var missing = Expected.Except(exported).ToArray();
        Assert.True(extra.Length == 0,
            "Public Engine types that are no step's façade nor what one takes (make them internal; the cmdlets and tests " +
            "see internals): " + string.Join(", ", extra));
        Assert.True(missing.Length == 0, "Façade types no longer public (update this list with the cmdlets): " + string.Join(", ", missing));
    }

    [Fact]
    public void Models_holds_no_engine_contracts()
    {
        // IMeshSink, MeshTarget and the gateway option records moved to the Engine: Models is what users see.
        var models = typeof(HybridMesh.Models.MeshCluster).Assembly.GetExportedTypes().Select(t => t.Name).ToArray();
        Assert.DoesNotContain("IMeshSink", models);
        Assert.DoesNotContain("NullMeshSink", models);
        Assert.DoesNotContain("MeshTarget", models);
        Assert.DoesNotContain("EastWestGatewayOptions", models);
        Assert.DoesNotContain("CrossNetworkGatewayOptions", models);
    }
}
