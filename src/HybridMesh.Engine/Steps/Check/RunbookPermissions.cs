using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>One permission a runbook step needs: verb on group/resource[/subresource], in a namespace or cluster-wide.</summary>
internal sealed record RunbookPermission(string Verb, string Group, string Resource, string? Namespace, string Step,
    string? Subresource = null)
{
    public string Describe() =>
        $"{Verb} {Resource}{(Subresource is null ? "" : "/" + Subresource)}{(Group.Length == 0 ? "" : "." + Group)}" +
        (Namespace is null ? " (cluster-wide)" : $" in {Namespace}");
}

/// <summary>
/// Every permission the module's writes need in each cluster, with the code that needs it. Server-side apply needs
/// patch and, for an object that does not exist yet, create; deletes need delete (docs/design/prerequisites.md).
/// Keep this list in step with the writers named below.
/// </summary>
internal static class RunbookPermissions
{
    private const string Ns = IstioNames.SystemNamespace;
    private static readonly string[] Apply = ["get", "create", "patch"];
    private static readonly string[] ApplyDelete = ["get", "create", "patch", "delete"];

    public static IReadOnlyList<RunbookPermission> All { get; } = Build();

    private static RunbookPermission[] Build()
    {
        var list = new List<RunbookPermission>();
        void Add(IEnumerable<string> verbs, string group, string resource, string? ns, string step, string? sub = null) =>
            list.AddRange(verbs.Select(v => new RunbookPermission(v, group, resource, ns, step, sub)));

        // Install-EastWestGateway (Steps/Gateway/GatewayInstaller, ManagedObjectWriter; Uninstall: GatewayRemover):
        // the network label on istio-system, then the gateway's objects (docs/design/gateway-objects.md).
        Add(["get", "patch"], "", "namespaces", null, "Install-EastWestGateway");
        Add(ApplyDelete, "", "serviceaccounts", Ns, "Install-EastWestGateway, New-Mesh");
        Add(ApplyDelete, "rbac.authorization.k8s.io", "roles", Ns, "Install-EastWestGateway");
        Add(ApplyDelete, "rbac.authorization.k8s.io", "rolebindings", Ns, "Install-EastWestGateway");
        Add(["get", "list", "create", "patch", "delete"], "apps", "deployments", Ns, "Install-EastWestGateway, Install-MeshCertificate -RestartIstiod");
        Add(ApplyDelete, "", "services", Ns, "Install-EastWestGateway");
        Add(ApplyDelete, "autoscaling", "horizontalpodautoscalers", Ns, "Install-EastWestGateway");
        Add(ApplyDelete, "policy", "poddisruptionbudgets", Ns, "Install-EastWestGateway");
        // Publish-MeshService (Manifests/CrossNetworkGatewayRenderer): the cross-network Gateway.
        Add(ApplyDelete, "networking.istio.io", "gateways", Ns, "Publish-MeshService");
        // New-Mesh (Steps/Mesh/ReaderIdentity, MeshCreator; Update-MeshLinkCredential: Links/CredentialRotator):
        // the istio-reader identity, its token Secret and the remote secrets; Install-MeshCertificate writes cacerts.
        Add(["get", "list", "create", "patch", "update", "delete"], "", "secrets", Ns, "New-Mesh, Install-MeshCertificate");
        Add(Apply, "rbac.authorization.k8s.io", "clusterroles", null, "New-Mesh");
        Add(Apply, "rbac.authorization.k8s.io", "clusterrolebindings", null, "New-Mesh");
        // Test-MeshConnectivity / Get-MeshLink read istiod's view through exec (docs/design/istiod-view.md).
        Add(["create"], "", "pods", Ns, "Test-MeshConnectivity", "exec");
        // The in-cluster probe pod of Test-MeshConnectivity and Test-MeshPrerequisite (Steps/Probe/InClusterProbe).
        Add(["get", "create", "delete"], "", "pods", Ns, "Test-MeshConnectivity, Test-MeshPrerequisite (probe pod)");
        Add(["get"], "", "configmaps", Ns, "Test-MeshConnectivity");
        return list.ToArray();
    }
}
