using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>Get-MeshCluster -Detailed's facts, read from canned API answers with certificates made at run time.</summary>
public sealed class ClusterInspectorTests : IDisposable
{
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();


    private static X509Certificate2 NewRoot(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=HybridMesh test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private const string IstioNamespace = """
        {"kind": "Namespace", "apiVersion": "v1",
         "metadata": {"name": "istio-system", "uid": "u1", "resourceVersion": "212", "creationTimestamp": "2026-01-01T00:00:00Z",
                      "labels": {"kubernetes.io/metadata.name": "istio-system", "topology.istio.io/network": "net-a"}},
         "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
        """;

    // Built-in list items carry no kind/apiVersion (docs/design/kube-api-answers.md §2).
    private const string Istiods = """
        {"kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": {"resourceVersion": "400"}, "items": [
          {"metadata": {"name": "istiod-asm-1282-4", "namespace": "istio-system",
                        "labels": {"app": "istiod", "istio.io/rev": "asm-1282-4"}},
           "spec": {"template": {"spec": {"containers": [
             {"name": "discovery", "image": "gcr.io/gke-release/asm/pilot:1.28.2-asm.4",
              "env": [{"name": "REVISION", "value": "asm-1282-4"}, {"name": "CLUSTER_ID", "value": "cn-proj-us-central1-gke"},
                      {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}}}},
          {"metadata": {"name": "istiod-canary", "namespace": "istio-system", "labels": {"app": "istiod"}},
           "spec": {"template": {"spec": {"containers": [
             {"name": "discovery", "env": [{"name": "REVISION", "value": "canary-2"}]}]}}}},
          {"metadata": {"name": "istiod", "namespace": "istio-system", "labels": {"app": "istiod"}},
           "spec": {"template": {"spec": {"containers": [{"name": "discovery", "env": []}]}}}}
        ]}
        """;

    private static FakeApiServer ServeIstio(string rootConfigMapPem, FakeReply cacerts) => FakeApiServer.Start(r =>
        CannedApi.Discovery(r) ?? (r.Path switch
        {
            "/api/v1/namespaces/istio-system" => FakeReply.Json(200, IstioNamespace),
            "/apis/apps/v1/namespaces/istio-system/deployments" when r.Query.Contains("labelSelector=app%3Distiod") =>
                FakeReply.Json(200, Istiods),
            "/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert" => FakeReply.Json(200,
                $$"""{"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "istio-ca-root-cert", "namespace": "istio-system"}, "data": {"root-cert.pem": {{Json(rootConfigMapPem)}} } }"""),
            "/api/v1/namespaces/istio-system/secrets/cacerts" => cacerts,
            _ => FakeReply.NotFound("unknown", r.Path),
        }));

    private KubeSession Open(FakeApiServer server, string context = "gke") =>
        KubeSession.Open([_files.TokenConfig(context + ".yaml", context, server.Url)], context,
            new KubeSessionOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(5) });

    [Fact]
    public async Task Reads_version_revisions_network_cluster_name_and_root_fingerprints()
    {
        using var current = NewRoot("root A");
        using var next = NewRoot("root B");
        // Two roots during a rotation; the Secret is not readable for this user (403), which is fine.
        await using var server = ServeIstio(current.ExportCertificatePem() + "\n" + next.ExportCertificatePem(),
            FakeReply.Json(403, CannedApi.ForbiddenSecret));
        using var session = Open(server);

        var details = await ClusterInspector.InspectAsync(session, NullMeshSink.Instance);

        Assert.Equal("v1.32.13", details.ServerVersion);
        Assert.Equal(["asm-1282-4", "canary-2", "default"], details.IstioRevisions);
        Assert.Equal("net-a", details.NetworkLabel);
        Assert.Equal("cn-proj-us-central1-gke", details.IstioClusterName);
        Assert.Equal([current.GetCertHashString(HashAlgorithmName.SHA256), next.GetCertHashString(HashAlgorithmName.SHA256)],
            details.RootCertificateFingerprints);
    }

    [Fact]
    public async Task Roots_from_a_readable_cacerts_Secret_are_added_without_duplicates()
    {
        using var shared = NewRoot("shared root");
        using var plugged = NewRoot("plug-in root");
        var secretPem = Convert.ToBase64String(Encoding.UTF8.GetBytes(plugged.ExportCertificatePem() + "\n" + shared.ExportCertificatePem() + "\n"));
        await using var server = ServeIstio(shared.ExportCertificatePem(), FakeReply.Json(200,
            $$"""{"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "cacerts", "namespace": "istio-system"}, "type": "Opaque", "data": {"root-cert.pem": "{{secretPem}}", "ca-key.pem": "bm90LWEta2V5"} }"""));
        using var session = Open(server);

        var details = await ClusterInspector.InspectAsync(session, NullMeshSink.Instance);

        Assert.Equal([shared.GetCertHashString(HashAlgorithmName.SHA256), plugged.GetCertHashString(HashAlgorithmName.SHA256)],
            details.RootCertificateFingerprints);
    }

    [Fact]
    public async Task A_cluster_without_istio_system_has_a_version_and_no_Istio_facts()
    {
        await using var server = FakeApiServer.Start(r => CannedApi.Discovery(r) ?? FakeReply.NotFound("namespaces", "istio-system"));
        using var session = Open(server, "bare");

        var details = await ClusterInspector.InspectAsync(session, NullMeshSink.Instance);

        Assert.Equal("v1.32.13", details.ServerVersion);
        Assert.Empty(details.IstioRevisions);
        Assert.Null(details.NetworkLabel);
        Assert.Null(details.IstioClusterName);
        Assert.Empty(details.RootCertificateFingerprints);
    }

    [Fact]
    public async Task Many_clusters_are_inspected_and_an_unreachable_one_is_one_error_naming_its_context()
    {
        using var root = NewRoot("root");
        await using var good = ServeIstio(root.ExportCertificatePem(), FakeReply.Json(403, CannedApi.ForbiddenSecret));
        await using var dead = FakeApiServer.Start(_ => FakeReply.Hang);
        var file = _files.Write("two.yaml", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: good
              cluster: {"{"}server: "{good.Url}"{"}"}
            - name: dead
              cluster: {"{"}server: "{dead.Url}"{"}"}
            contexts:
            - name: onprem-dead
              context: {"{"}cluster: dead, user: u{"}"}
            - name: gke_proj-123456_us-central1_good
              context: {"{"}cluster: good, user: u{"}"}
            users:
            - name: u
              user: {"{"}token: {KubeTestFiles.Token}{"}"}
            """);
        var clusters = ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [file] }, NullMeshSink.Instance);
        var sink = new RecordingSink();

        var inspected = await ClusterInspector.InspectManyAsync(clusters,
            new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(1) }, sink);

        var cluster = Assert.Single(inspected);
        Assert.Equal("gke_proj-123456_us-central1_good", cluster.Context);
        Assert.Equal(ClusterPlatform.Gke, cluster.Platform);
        Assert.Equal("net-a", cluster.Details?.NetworkLabel);
        Assert.Null(clusters[1].Details); // The listed object is left as it was; the copy carries the details.
        var error = Assert.Single(sink.Errors);
        Assert.Equal(("ApiServerUnreachable", "onprem-dead"), (error.ErrorId, error.Target));
        Assert.Equal(MeshErrorCategory.ConnectionError, error.Category);
        Assert.True(sink.ProgressRecords.Last().Completed);
        // A start record, one per cluster, and the completion.
        Assert.Equal(4, sink.ProgressRecords.Count);
    }

    [Fact]
    public void Every_certificate_block_counts_and_other_PEM_blocks_are_ignored()
    {
        using var a = NewRoot("a");
        using var b = NewRoot("b");
        using var key = ECDsa.Create();
        var bundle = a.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n" + b.ExportCertificatePem();

        var fingerprints = ClusterInspectorCertificates.Fingerprints(bundle);

        Assert.Equal([a.GetCertHashString(HashAlgorithmName.SHA256), b.GetCertHashString(HashAlgorithmName.SHA256)], fingerprints);
        Assert.Empty(ClusterInspectorCertificates.Fingerprints("not a certificate"));
    }
}
