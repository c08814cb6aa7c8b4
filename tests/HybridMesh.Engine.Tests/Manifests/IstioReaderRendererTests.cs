using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Manifests.ManifestAssert;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>Reader ServiceAccount, RBAC and token Secret against docs/design/remote-secrets.md</summary>
public class IstioReaderRendererTests
{
    [Fact]
    public void Names_follow_the_istiod_chart_with_and_without_revision()
    {
        Assert.Equal("istio-reader-clusterrole-asm-1282-4-istio-system", IstioReaderRenderer.ClusterRoleName("asm-1282-4"));
        Assert.Equal("istio-reader-clusterrole-istio-system", IstioReaderRenderer.ClusterRoleName(null));
        Assert.Equal("istio-reader-clusterrole-istio-system", IstioReaderRenderer.ClusterRoleName(""));

        Assert.Equal(
            ["ServiceAccount istio-system/istio-reader-service-account",
             "ClusterRole istio-reader-clusterrole-asm-1282-4-istio-system",
             "ClusterRoleBinding istio-reader-clusterrole-asm-1282-4-istio-system",
             "Secret istio-system/istio-reader-service-account-istio-remote-secret-token"],
            IstioReaderRenderer.Render("asm-1282-4").Select(ManifestObjects.Describe));
    }

    [Fact]
    public void Binding_grants_the_role_to_the_reader_account()
    {
        var objects = IstioReaderRenderer.Render("asm-1282-4");
        var binding = Single(objects, "ClusterRoleBinding");

        Assert.Equal("ClusterRole", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal(ManifestObjects.Name(Single(objects, "ClusterRole")), (string?)binding["roleRef"]!["name"]);
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal("ServiceAccount", (string?)subject["kind"]);
        Assert.Equal("istio-reader-service-account", (string?)subject["name"]);
        Assert.Equal("istio-system", (string?)subject["namespace"]);
    }

    [Theory]
    [InlineData("networking.istio.io", "gateways", "list")]
    [InlineData("security.istio.io", "peerauthentications", "watch")]
    [InlineData("telemetry.istio.io", "telemetries", "get")]
    [InlineData("", "pods", "list")]
    [InlineData("", "secrets", "watch")]
    [InlineData("", "configmaps", "get")]
    [InlineData("", "nodes", "list")]
    [InlineData("discovery.k8s.io", "endpointslices", "watch")]
    [InlineData("apps", "replicasets", "list")]
    [InlineData("apiextensions.k8s.io", "customresourcedefinitions", "list")]
    [InlineData("gateway.networking.k8s.io", "gateways", "watch")]
    [InlineData("multicluster.x-k8s.io", "serviceexports", "create")]
    [InlineData("multicluster.x-k8s.io", "serviceexports", "delete")]
    [InlineData("multicluster.x-k8s.io", "serviceimports", "list")]
    [InlineData("authentication.k8s.io", "tokenreviews", "create")]
    [InlineData("authorization.k8s.io", "subjectaccessreviews", "create")]
    public void Role_allows_what_a_remote_istiod_needs(string group, string resource, string verb)
    {
        Assert.True(Allows(Single(IstioReaderRenderer.Render(null), "ClusterRole"), group, resource, verb));
    }

    [Theory]
    [InlineData("", "secrets", "create")]
    [InlineData("", "pods", "delete")]
    [InlineData("multicluster.x-k8s.io", "serviceimports", "create")]
    [InlineData("apps", "deployments", "list")]
    [InlineData("authentication.k8s.io", "tokenreviews", "list")]
    [InlineData("networking.istio.io", "gateways", "update")]
    public void Role_grants_nothing_beyond_reading(string group, string resource, string verb)
    {
        Assert.False(Allows(Single(IstioReaderRenderer.Render(null), "ClusterRole"), group, resource, verb));
    }

    [Fact]
    public void Token_secret_asks_the_token_controller_for_the_reader_token()
    {
        var secret = IstioReaderRenderer.RenderTokenSecret();

        Assert.Equal("istio-reader-service-account-istio-remote-secret-token", ManifestObjects.Name(secret));
        Assert.Equal("kubernetes.io/service-account-token", (string?)secret["type"]);
        Assert.Equal("istio-reader-service-account", Map(secret["metadata"]!["annotations"])["kubernetes.io/service-account.name"]);
        Assert.Null(secret["data"]);
        Assert.Equal("hybridmesh", Map(secret["metadata"]!["labels"])["app.kubernetes.io/managed-by"]);
    }

    [Fact]
    public void Cluster_scoped_objects_have_no_namespace()
    {
        var objects = IstioReaderRenderer.Render(null);

        Assert.Null(Single(objects, "ClusterRole")["metadata"]!["namespace"]);
        Assert.Null(Single(objects, "ClusterRoleBinding")["metadata"]!["namespace"]);
    }

    [Fact]
    public void Invalid_revision_or_namespace_is_refused()
    {
        Assert.Equal("RevisionInvalid", Assert.Throws<MeshException>(() => IstioReaderRenderer.Render("ASM")).ErrorId);
        Assert.Equal("NamespaceInvalid", Assert.Throws<MeshException>(() => IstioReaderRenderer.Render(null, "a/b")).ErrorId);
    }

    private static bool Allows(JsonObject role, string group, string resource, string verb) =>
        role["rules"]!.AsArray().Any(rule =>
            Strings(rule!["apiGroups"]).Contains(group) &&
            (Strings(rule["resources"]).Contains(resource) || Strings(rule["resources"]).Contains("*")) &&
            Strings(rule["verbs"]).Contains(verb));
}
