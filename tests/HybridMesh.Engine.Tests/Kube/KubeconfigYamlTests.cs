using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using k8s;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// The module reads kubeconfigs with its own deserializer (KubeconfigYaml) instead of KubernetesClient's loader, to skip
/// that loader's start-up cost: it must read every kubeconfig into the same objects KubernetesClient would.
/// </summary>
public sealed class KubeconfigYamlTests : IDisposable
{
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    // Every field of the kubeconfig model, and the YAML forms kubeconfigs are written in: flow and block style, a
    // merge key, unquoted numbers and booleans in extensions, quoted strings that look like numbers.
    private const string Everything = """
        apiVersion: v1
        kind: Config
        preferences:
          colors: true
        current-context: exec
        clusters:
        - name: gke
          cluster:
            server: https://34.1.2.3
            certificate-authority-data: LS0tLS1CRUdJTg==
            tls-server-name: kubernetes.default
            extensions:
            - name: client.authentication.k8s.io/exec
              extension:
                audience: "12345"
                port: 443
                enabled: true
        - name: onprem
          cluster: {server: "https://10.0.0.9:443", certificate-authority: certs/ca.crt, insecure-skip-tls-verify: false}
        - name: insecure
          cluster:
            server: https://10.0.0.10
            insecure-skip-tls-verify: true
        contexts:
        - name: exec
          context: {cluster: gke, user: exec, namespace: istio-system}
        - name: certs
          context:
            cluster: onprem
            user: certs
            extensions:
            - name: note
              extension: plain text
        users:
        - name: exec
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: gke-gcloud-auth-plugin
              args: [--verbosity, "0"]
              env:
              - name: HOME
                value: /home/me
              installHint: Install it.
              provideClusterInfo: true
              interactiveMode: Never
        - name: certs
          user: &certs
            client-certificate: certs/client.crt
            client-key: certs/client.key
            as: admin
            as-groups: [system:masters]
            as-user-extra:
              reason: audit
        - name: merged
          user:
            <<: *certs
            token: abc
        - name: basic
          user: {username: me, password: secret}
        - name: provider
          user:
            auth-provider:
              name: oidc
              config:
                client-id: hybridmesh
                idp-issuer-url: https://issuer.example
        """;

    [Fact]
    public void Reads_every_field_and_yaml_form_into_the_objects_KubernetesClient_reads()
    {
        var file = _files.Write("everything.yaml", Everything);

        var ours = KubeconfigYaml.Load(new FileInfo(file));
        var theirs = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: true);

        Assert.Equal(Dump(theirs), Dump(ours));
        Assert.Equal(ValueTypes(theirs), ValueTypes(ours));
        // Unquoted scalars are read as what they look like (YamlDotNet picks the integer type), quoted ones as strings.
        Assert.DoesNotContain("port=System.String", ValueTypes(ours));
        Assert.Contains("enabled=System.Boolean", ValueTypes(ours));
        Assert.Contains("audience=System.String", ValueTypes(ours));
        Assert.Equal(theirs.FileName, ours.FileName);
        Assert.Equal("gke-gcloud-auth-plugin", ours.Users.First(u => u.Name == "exec").UserCredentials.ExternalExecution.Command);
        Assert.Equal("abc", ours.Users.First(u => u.Name == "merged").UserCredentials.Token);
        Assert.Equal("certs/client.crt", ours.Users.First(u => u.Name == "merged").UserCredentials.ClientCertificate);
    }

    [Fact]
    public void Reads_the_sample_kubeconfigs_as_KubernetesClient_does_and_builds_the_same_client_configuration()
    {
        foreach (var file in SampleKubeconfigs())
        {
            var ours = KubeconfigYaml.Load(new FileInfo(file));
            var theirs = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: true);
            Assert.Equal(Dump(theirs), Dump(ours));

            // Not the contexts whose user runs an exec plugin: building their configuration would run it.
            foreach (var context in theirs.Contexts.Where(c => !RunsPlugin(theirs, c)))
            {
                var expected = KubernetesClientConfiguration.BuildConfigFromConfigObject(theirs, context.Name);
                var actual = KubernetesClientConfiguration.BuildConfigFromConfigObject(ours, context.Name);
                Assert.Equal(expected.Host, actual.Host);
                Assert.Equal(expected.SslCaCerts?.Count, actual.SslCaCerts?.Count);
            }
        }
    }

    [Fact]
    public void Parses_a_kubeconfig_held_in_memory_as_KubernetesClient_does()
    {
        var ours = KubeconfigYaml.Parse(Everything);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Everything));
        var theirs = KubernetesClientConfiguration.LoadKubeConfig(stream);

        Assert.Equal(Dump(theirs), Dump(ours));
        Assert.Null(ours.FileName);
    }

    [Fact]
    public void An_empty_kubeconfig_file_holds_no_context_as_kubectl_reads_it()
    {
        var empty = _files.Write("empty.yaml", "");
        var other = _files.TokenConfig("other.yaml", "only", "https://10.0.0.1");

        var clusters = ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [empty, other] }, NullMeshSink.Instance);

        Assert.Equal(["only"], clusters.Select(c => c.Context));
    }

    [Fact]
    public void A_file_that_does_not_exist_is_the_error_KubernetesClient_gives()
    {
        var missing = new FileInfo(Path.Combine(_files.Directory, "missing.yaml"));

        var error = Assert.Throws<k8s.Exceptions.KubeConfigException>(() => KubeconfigYaml.Load(missing));

        Assert.Equal($"kubeconfig file not found at {missing.FullName}", error.Message);
    }

    private static bool RunsPlugin(K8SConfiguration config, Context context) =>
        config.Users.FirstOrDefault(u => u.Name == context.ContextDetails?.User)?.UserCredentials?.ExternalExecution is not null;

    // tests/assets/kubeconfig.*.yaml, shaped as gcloud and an on-premises admin kubeconfig are; found from the test
    // assembly's folder upwards.
    private static IEnumerable<string> SampleKubeconfigs()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "HybridMesh.sln"))) folder = folder.Parent;
        Assert.NotNull(folder);
        var samples = Directory.GetFiles(Path.Combine(folder.FullName, "tests", "assets"), "kubeconfig.*.yaml");
        Assert.NotEmpty(samples);
        return samples;
    }

    // What an extension's values became: the YAML dump writes the number 443 and the string "443" alike.
    private static string ValueTypes(K8SConfiguration config) => string.Join(", ",
        from cluster in config.Clusters
        from extension in cluster.ClusterEndpoint?.Extensions ?? []
        from pair in extension.Extension as IDictionary<object, object> ?? new Dictionary<object, object>()
        select $"{pair.Key}={pair.Value?.GetType()}");

    // Both objects written back as YAML: every property, nested dictionaries and lists included.
    private static string Dump(K8SConfiguration config) => new SerializerBuilder().Build().Serialize(config);
}
