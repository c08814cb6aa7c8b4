using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>HTTPS as real clusters (and the lab) serve it: the kubeconfig's CA decides whom the session trusts.</summary>
public sealed class KubeTlsTests : IDisposable
{
    private const string Context = "tls-ctx";
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>A self-signed serving certificate for 127.0.0.1, made at run time, with its key usable by SslStream.</summary>
    private static X509Certificate2 ServingCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private string Config(string server, string? caPem) => _files.Write("tls.yaml", $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: {server}
        {(caPem is null ? "" : "    certificate-authority-data: " + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(caPem)))}
        contexts:
        - name: {Context}
          context: {"{"}cluster: c, user: u{"}"}
        users:
        - name: u
          user: {"{"}token: {KubeTestFiles.Token}{"}"}
        """);

    [Fact]
    public async Task The_CA_from_the_kubeconfig_is_trusted()
    {
        using var certificate = ServingCertificate();
        await using var server = FakeApiServer.StartTls(r => CannedApi.Discovery(r) ?? FakeReply.Json(404, "{}"), certificate);
        using var session = KubeSession.Open([Config(server.Url, certificate.ExportCertificatePem())], Context);

        Assert.Equal("v1.32.13", await session.GetServerVersionAsync());
        Assert.Equal("Bearer " + KubeTestFiles.Token, Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_server_certificate_the_kubeconfig_does_not_trust_is_ApiServerTlsFailed_and_not_retried()
    {
        using var certificate = ServingCertificate();
        using var other = ServingCertificate();
        await using var server = FakeApiServer.StartTls(r => CannedApi.Discovery(r) ?? FakeReply.Json(404, "{}"), certificate);
        using var session = KubeSession.Open([Config(server.Url, other.ExportCertificatePem())], Context);

        var error = await Assert.ThrowsAsync<KubeTlsFailedException>(() => session.GetServerVersionAsync());

        Assert.Equal("ApiServerTlsFailed", error.ErrorId);
        Assert.Equal(Context, error.Target);
        Assert.Contains("certificate-authority", error.RecommendedAction);
        Assert.Empty(server.Requests); // The token never left: the handshake failed first.
        Assert.Equal(1, server.Connections);
    }
}
