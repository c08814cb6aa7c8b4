using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>Kubeconfig merging and context discovery, as Get-MeshCluster does it (offline: files only).</summary>
public sealed class KubeconfigTests : IDisposable
{
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();


    [Fact]
    public void First_definition_of_a_name_wins_and_contexts_of_both_files_are_listed()
    {
        var first = _files.TokenConfig("a.yaml", "shared", "https://10.0.0.1");
        var second = _files.Write("b.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: shared
              cluster: {server: "https://10.9.9.9"}
            - name: only-b
              cluster: {server: "https://10.0.0.2"}
            contexts:
            - name: shared
              context: {cluster: shared, user: shared}
            - name: only-b
              context: {cluster: only-b, user: shared}
            current-context: only-b
            users:
            - name: shared
              user: {token: other}
            """);

        var clusters = ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [first, second] }, NullMeshSink.Instance);

        Assert.Equal(["shared", "only-b"], clusters.Select(c => c.Context));
        Assert.Equal("https://10.0.0.1", clusters[0].Server);
        Assert.Equal("https://10.0.0.2", clusters[1].Server);
        Assert.Equal([first, second], clusters[1].Kubeconfig);
        Assert.Equal("shared", ClusterDiscovery.LoadSet(new ClusterQuery { Kubeconfig = [first, second] }).Merged.CurrentContext);
    }

    [Fact]
    public void KUBECONFIG_is_split_on_the_path_separator_and_missing_entries_are_skipped()
    {
        var first = _files.TokenConfig("one.yaml", "one", "https://10.0.0.1");
        var second = _files.TokenConfig("two.yaml", "two", "https://10.0.0.2");
        var missing = Path.Combine(_files.Directory, "absent.yaml");
        var variable = string.Join(Path.PathSeparator, first, missing, second);

        var clusters = ClusterDiscovery.GetClusters(new ClusterQuery { KubeconfigVariable = variable }, NullMeshSink.Instance);

        Assert.Equal(["one", "two"], clusters.Select(c => c.Context));
        Assert.Equal([first, second], clusters[0].Kubeconfig);
    }

    [Fact]
    public void An_explicit_file_that_does_not_exist_is_KubeconfigNotFound()
    {
        var missing = Path.Combine(_files.Directory, "nope.yaml");

        var error = Assert.Throws<MeshException>(() =>
            ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [missing] }, NullMeshSink.Instance));

        Assert.Equal("KubeconfigNotFound", error.ErrorId);
        Assert.Equal(missing, error.Target);
    }

    [Fact]
    public void Malformed_YAML_is_KubeconfigInvalid_naming_the_file()
    {
        var broken = _files.Write("broken.yaml", "apiVersion: v1\nclusters: [\n  - name: x\n    cluster: {server: 'https://x'\n");

        var error = Assert.Throws<MeshException>(() =>
            ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [broken] }, NullMeshSink.Instance));

        Assert.Equal("KubeconfigInvalid", error.ErrorId);
        Assert.Equal(MeshErrorCategory.InvalidData, error.Category);
        Assert.Equal(broken, error.Target);
    }

    [Fact]
    public void An_unknown_context_is_reported_with_the_known_ones_and_the_rest_still_returned()
    {
        var file = _files.TokenConfig("a.yaml", "known-ctx", "https://10.0.0.1");
        var sink = new RecordingSink();

        var clusters = ClusterDiscovery.GetClusters(
            new ClusterQuery { Kubeconfig = [file], Context = ["typo-ctx", "known-ctx"] }, sink);

        Assert.Equal(["known-ctx"], clusters.Select(c => c.Context));
        var error = Assert.Single(sink.Errors);
        Assert.Equal("ContextNotFound", error.ErrorId);
        Assert.Equal("typo-ctx", error.Target);
        Assert.Contains("known-ctx", error.Message);
    }

    [Fact]
    public void Opening_a_session_for_an_unknown_context_is_ContextNotFound()
    {
        var file = _files.TokenConfig("a.yaml", "known-ctx", "https://10.0.0.1");

        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "other-ctx"));

        Assert.Equal("ContextNotFound", error.ErrorId);
        Assert.Contains("known-ctx", error.Message);
    }

    [Fact]
    public void Platform_is_detected_from_context_name_plugin_and_server()
    {
        var file = _files.Write("mixed.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: gke_my-project-1_us-central1_prod
              cluster: {server: "https://203.0.113.10"}
            - name: renamed
              cluster: {server: "https://203.0.113.11"}
            - name: onprem
              cluster: {server: "https://198.51.100.20:443"}
            - name: via-connect
              cluster: {server: "https://connectgateway.googleapis.com/v1/projects/123/locations/global/gkeMemberships/onprem-1"}
            contexts:
            - name: gke_my-project-1_us-central1_prod
              context: {cluster: gke_my-project-1_us-central1_prod, user: plugin}
            - name: gke-renamed
              context: {cluster: renamed, user: plugin}
            - name: admin@onprem
              context: {cluster: onprem, user: cert}
            - name: onprem-connect
              context: {cluster: via-connect, user: plugin}
            users:
            - name: plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: /usr/lib/google-cloud-sdk/bin/gke-gcloud-auth-plugin
                  provideClusterInfo: true
            - name: cert
              user:
                client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
                client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==
            """);

        var clusters = ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [file] }, NullMeshSink.Instance)
            .ToDictionary(c => c.Context);

        var gke = clusters["gke_my-project-1_us-central1_prod"];
        Assert.Equal(ClusterPlatform.Gke, gke.Platform);
        Assert.Equal(("prod", "my-project-1", "us-central1"), (gke.Name, gke.GkeProject, gke.GkeLocation));
        Assert.Equal("Exec:gke-gcloud-auth-plugin", gke.Authentication);

        Assert.Equal(ClusterPlatform.Gke, clusters["gke-renamed"].Platform);
        Assert.Null(clusters["gke-renamed"].GkeProject);

        Assert.Equal(ClusterPlatform.OnPrem, clusters["admin@onprem"].Platform);
        Assert.Equal("ClientCertificate", clusters["admin@onprem"].Authentication);

        // Same plugin, but a Connect-gateway address: an attached (on-prem) cluster reached through the fleet.
        Assert.Equal(ClusterPlatform.OnPrem, clusters["onprem-connect"].Platform);
    }

    [Fact]
    public void Authentication_is_described_without_the_token()
    {
        var file = _files.TokenConfig("token.yaml", "tok", "https://10.0.0.1");

        var cluster = Assert.Single(ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [file] }, NullMeshSink.Instance));

        Assert.Equal("Token", cluster.Authentication);
        var everything = string.Join("|", typeof(MeshCluster).GetProperties()
            .Select(p => p.GetValue(cluster) is string[] list ? string.Join(",", list) : p.GetValue(cluster)?.ToString()));
        Assert.DoesNotContain(KubeTestFiles.Token, everything);
    }

    [Fact]
    public void The_removed_gcp_auth_provider_is_a_warning_when_listing_and_an_error_when_connecting()
    {
        var file = _files.Write("gcp.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: old
              cluster: {server: "https://10.0.0.1"}
            contexts:
            - name: old
              context: {cluster: old, user: old}
            users:
            - name: old
              user:
                auth-provider:
                  name: gcp
                  config: {access-token: ya29.not-real, cmd-path: gcloud}
            """);
        var sink = new RecordingSink();

        ClusterDiscovery.GetClusters(new ClusterQuery { Kubeconfig = [file] }, sink);
        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "old"));

        Assert.Contains("gke-gcloud-auth-plugin", Assert.Single(sink.Warnings));
        Assert.Equal("AuthProviderUnsupported", error.ErrorId);
        Assert.DoesNotContain("ya29", error.Message + error.RecommendedAction);
    }

    [Fact]
    public void A_missing_exec_plugin_is_ExecPluginNotFound_with_the_install_hint()
    {
        var file = _files.ExecConfig("gke.yaml", "gke_p-123456_europe-west1_c", "https://203.0.113.10",
            "gke-gcloud-auth-plugin-hybridmesh-test-absent",
            "Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin");

        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "gke_p-123456_europe-west1_c"));

        Assert.Equal("ExecPluginNotFound", error.ErrorId);
        Assert.Equal(MeshErrorCategory.NotInstalled, error.Category);
        Assert.Equal("gke_p-123456_europe-west1_c", error.Target);
        Assert.Contains("gcloud components install gke-gcloud-auth-plugin", error.RecommendedAction);
        Assert.Contains("cluster-access-for-kubectl#install_plugin", error.RecommendedAction);
    }

    [Fact]
    public void A_plugin_that_runs_but_prints_no_credential_is_ExecPluginFailed_without_its_output()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The fake plugin below is a shell script.
        }

        var plugin = _files.Write("fake-plugin.sh", "#!/bin/sh\necho 'not json: secret-output-xyz'\nexit 1\n");
        File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = _files.ExecConfig("exec.yaml", "exec-ctx", "https://10.0.0.1", plugin);

        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "exec-ctx"));

        Assert.Equal("ExecPluginFailed", error.ErrorId);
        Assert.Equal("exec-ctx", error.Target);
        Assert.DoesNotContain("secret-output-xyz", error.Message + error.RecommendedAction);
    }
}
