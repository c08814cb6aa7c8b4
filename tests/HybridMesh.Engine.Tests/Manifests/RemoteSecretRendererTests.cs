using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using YamlDotNet.RepresentationModel;
using static HybridMesh.Engine.Tests.Manifests.ManifestAssert;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>The remote secret against docs/design/remote-secrets.md, read back the way istiod reads it.</summary>
public class RemoteSecretRendererTests
{
    // Generated per run: a real CA certificate and a random token that look like what the token controller writes.
    private static readonly byte[] CaPem = CreateCaPem();
    private static readonly string Token = "eyJhbGciOiJSUzI1NiJ9." +
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static RemoteSecretSource Source(string name = "cn-my-proj-us-central1-gke1", string server = "https://34.1.2.3") =>
        new(name, server, CaPem, Token);

    [Fact]
    public void Secret_has_istiod_name_label_annotation_and_key()
    {
        var secret = RemoteSecretRenderer.Render(Source());

        Assert.Equal("Secret istio-system/istio-remote-secret-cn-my-proj-us-central1-gke1", ManifestObjects.Describe(secret));
        Assert.Equal("v1", ManifestObjects.ApiVersion(secret));
        var labels = Map(secret["metadata"]!["labels"]);
        Assert.Equal("true", labels["istio/multiCluster"]);
        Assert.Equal("hybridmesh", labels["app.kubernetes.io/managed-by"]);
        Assert.Equal("cn-my-proj-us-central1-gke1", Map(secret["metadata"]!["annotations"])["networking.istio.io/cluster"]);
        Assert.Equal(["cn-my-proj-us-central1-gke1"], secret["data"]!.AsObject().Select(p => p.Key));
        Assert.Null(secret["type"]);
    }

    [Fact]
    public void Kubeconfig_parses_back_with_every_entry_named_after_the_cluster()
    {
        var secret = RemoteSecretRenderer.Render(Source(server: "https://10.20.0.2:6443"));
        var kubeconfigText = Encoding.UTF8.GetString(Convert.FromBase64String(
            secret["data"]!["cn-my-proj-us-central1-gke1"]!.GetValue<string>()));

        var stream = new YamlStream();
        stream.Load(new StringReader(kubeconfigText));
        var root = (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
        string Scalar(YamlNode node, params string[] path)
        {
            foreach (var key in path)
            {
                node = ((YamlMappingNode)node)[key];
            }

            return ((YamlScalarNode)node).Value!;
        }

        const string name = "cn-my-proj-us-central1-gke1";
        Assert.Equal("v1", Scalar(root, "apiVersion"));
        Assert.Equal("Config", Scalar(root, "kind"));
        Assert.Equal(name, Scalar(root, "current-context"));
        var cluster = Assert.Single(((YamlSequenceNode)root["clusters"]).Children);
        Assert.Equal(name, Scalar(cluster, "name"));
        Assert.Equal("https://10.20.0.2:6443", Scalar(cluster, "cluster", "server"));
        Assert.Equal(CaPem, Convert.FromBase64String(Scalar(cluster, "cluster", "certificate-authority-data")));
        var context = Assert.Single(((YamlSequenceNode)root["contexts"]).Children);
        Assert.Equal(name, Scalar(context, "name"));
        Assert.Equal(name, Scalar(context, "context", "cluster"));
        Assert.Equal(name, Scalar(context, "context", "user"));
        var user = Assert.Single(((YamlSequenceNode)root["users"]).Children);
        Assert.Equal(name, Scalar(user, "name"));
        Assert.True(Token == Scalar(user, "user", "token"), "token differs after parse-back");
        Assert.DoesNotContain("tls-server-name", kubeconfigText);
    }

    [Fact]
    public void Kubeconfig_is_what_the_secret_stores()
    {
        var source = Source();
        var stored = RemoteSecretRenderer.Render(source)["data"]!["cn-my-proj-us-central1-gke1"]!.GetValue<string>();

        Assert.Equal(RemoteSecretRenderer.RenderKubeconfig(source), Encoding.UTF8.GetString(Convert.FromBase64String(stored)));
        Assert.StartsWith("apiVersion: v1\nkind: Config\n", RemoteSecretRenderer.RenderKubeconfig(source));
    }

    [Fact]
    public void Tls_server_name_and_namespace_are_honoured()
    {
        var source = new RemoteSecretSource("onprem-1", "https://10.0.0.5", CaPem, Token)
        {
            Namespace = "istio-cp",
            TlsServerName = "kube-apiserver.onprem.example",
        };
        var secret = RemoteSecretRenderer.Render(source);

        Assert.Equal("istio-cp", ManifestObjects.Namespace(secret));
        var config = YamlToJson.ParseDocuments(RemoteSecretRenderer.RenderKubeconfig(source)).Single()!;
        Assert.Equal("kube-apiserver.onprem.example", (string?)config["clusters"]![0]!["cluster"]!["tls-server-name"]);
    }

    // RemoteSecretSource is internal to the Engine and a theory's parameters must be public types: the cases are
    // named by error id and index here.
    private static readonly (string ErrorId, RemoteSecretSource Source)[] Invalid =
    [
        ("ClusterNameInvalid", new RemoteSecretSource("GKE_Cluster", "https://1.2.3.4", CaPem, Token)),
        ("ClusterNameInvalid", new RemoteSecretSource("", "https://1.2.3.4", CaPem, Token)),
        ("ServerUrlInvalid", new RemoteSecretSource("c1", "10.0.0.1:6443", CaPem, Token)),
        ("ServerUrlInvalid", new RemoteSecretSource("c1", "ftp://host", CaPem, Token)),
        ("CertificateAuthorityMissing", new RemoteSecretSource("c1", "https://1.2.3.4", [], Token)),
        ("ServiceAccountTokenMissing", new RemoteSecretSource("c1", "https://1.2.3.4", CaPem, " ")),
        ("NamespaceInvalid", new RemoteSecretSource("c1", "https://1.2.3.4", CaPem, Token) { Namespace = "Istio" }),
    ];

    public static TheoryData<string, int> InvalidSources()
    {
        var cases = new TheoryData<string, int>();
        for (var i = 0; i < Invalid.Length; i++)
        {
            cases.Add(Invalid[i].ErrorId, i);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(InvalidSources))]
    public void Invalid_input_fails_without_revealing_the_token(string errorId, int index)
    {
        var source = Invalid[index].Source;
        var error = Assert.Throws<MeshException>(() => RemoteSecretRenderer.Render(source));

        Assert.Equal(errorId, error.ErrorId);
        // Assert.False rather than DoesNotContain: a failure must not print the text that holds the token.
        Assert.False(error.Message.Contains(Token), "token in Message");
        Assert.False(error.RecommendedAction.Contains(Token), "token in RecommendedAction");
        Assert.False(error.ToString().Contains(Token), "token in ToString()");
        Assert.False((error.Target?.ToString() ?? "").Contains(Token), "token in Target");
    }

    [Fact]
    public void Source_to_string_omits_the_token_and_server_credentials()
    {
        var source = new RemoteSecretSource("c1", "https://admin:hunter2@10.0.0.1", CaPem, Token);

        Assert.False(source.ToString().Contains(Token), "token in ToString()");
        Assert.DoesNotContain("hunter2", source.ToString());
        Assert.Contains("c1", source.ToString());
    }

    [Fact]
    public void Server_credentials_in_a_bad_url_are_not_echoed()
    {
        var error = Assert.Throws<MeshException>(() =>
            RemoteSecretRenderer.Render(new RemoteSecretSource("c1", "ftp://admin:hunter2@host", CaPem, Token)));

        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Theory]
    [InlineData("https://127.0.0.1:6443")]
    [InlineData("https://127.0.0.2")]
    [InlineData("https://localhost:8443")]
    [InlineData("https://[::1]:6443")]
    [InlineData("https://kubernetes.default.svc")]
    [InlineData("https://kubernetes.default.svc.cluster.local:443")]
    [InlineData("https://connectgateway.googleapis.com/v1/projects/123/locations/global/gkeMemberships/onprem")]
    [InlineData("https://us-central1-connectgateway.googleapis.com/v1/projects/123/locations/us-central1/gkeMemberships/g")]
    [InlineData("https://0.0.0.0:6443")]
    [InlineData("not a url")]
    public void Addresses_remote_istiod_cannot_use_are_flagged(string server)
    {
        var reason = RemoteSecretRenderer.UnreachableServerReason(server);

        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Theory]
    [InlineData("https://34.123.45.6")]
    [InlineData("https://10.200.0.2:6443")]
    [InlineData("https://gke-1234.us-central1.gke.goog")]
    [InlineData("https://api.onprem.example.com:443")]
    public void Routable_addresses_are_not_flagged(string server)
    {
        Assert.Null(RemoteSecretRenderer.UnreachableServerReason(server));
    }

    [Fact]
    public void Connect_gateway_reason_says_why()
    {
        var reason = RemoteSecretRenderer.UnreachableServerReason(
            "https://connectgateway.googleapis.com/v1/projects/1/locations/global/gkeMemberships/m")!;

        Assert.Contains("Connect gateway", reason);
    }

    private static byte[] CreateCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-cluster-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Encoding.ASCII.GetBytes(cert.ExportCertificatePem() + "\n");
    }
}
