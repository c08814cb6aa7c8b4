using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using k8s;
using Xunit.Abstractions;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>
/// The remote-secret kubeconfig read by real Kubernetes clients: KubernetesClient (C#) and kubectl (client-go, the
/// library istiod itself uses to load these kubeconfigs).
/// </summary>
public class RemoteKubeconfigClientTests(ITestOutputHelper output)
{
    private static readonly string Token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    private static (RemoteSecretSource Source, X509Certificate2 Ca) Build()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=remote-cluster-ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var source = new RemoteSecretSource("cn-fleet-global-onprem1", "https://10.200.0.2:6443",
            Encoding.ASCII.GetBytes(ca.ExportCertificatePem() + "\n"), Token);
        return (source, ca);
    }

    [Fact]
    public void KubernetesClient_loads_server_token_and_ca()
    {
        var (source, ca) = Build();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(RemoteSecretRenderer.RenderKubeconfig(source)));

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);

        Assert.Equal("https://10.200.0.2:6443", config.Host.TrimEnd('/'));
        Assert.True(Token == config.AccessToken, "token differs after KubernetesClient parse");
        var loaded = Assert.Single(config.SslCaCerts);
        Assert.Equal(ca.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void Kubectl_reads_the_same_kubeconfig()
    {
        var kubectl = FindOnPath("kubectl");
        if (kubectl is null)
        {
            output.WriteLine("SKIPPED: kubectl is not on PATH; the client-go cross-check did not run.");
            return;
        }

        var (source, _) = Build();
        var file = Path.Combine(Path.GetTempPath(), $"hm-remote-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(file, RemoteSecretRenderer.RenderKubeconfig(source));
            var start = new ProcessStartInfo(kubectl, ["config", "view", "--kubeconfig", file, "--raw", "-o", "json"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["KUBECONFIG"] = file;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit(30_000);
            Assert.Equal(0, process.ExitCode);

            var config = JsonNode.Parse(stdout)!;
            Assert.Equal("cn-fleet-global-onprem1", (string?)config["current-context"]);
            var cluster = config["clusters"]![0]!;
            Assert.Equal("https://10.200.0.2:6443", (string?)cluster["cluster"]!["server"]);
            Assert.Equal(source.CertificateAuthority,
                Convert.FromBase64String((string)cluster["cluster"]!["certificate-authority-data"]!));
            Assert.True(Token == (string?)config["users"]![0]!["user"]!["token"], "token differs after kubectl parse");
            Assert.Equal("cn-fleet-global-onprem1", (string?)config["contexts"]![0]!["context"]!["user"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => new[] { Path.Combine(dir, tool), Path.Combine(dir, tool + ".exe") })
            .FirstOrDefault(File.Exists);
}
