using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// Issue 10.12: the module runs a kubeconfig's exec credential plugin itself, so a failing plugin's stderr and exit
/// code end up in ExecPluginFailed (and not on the console), while its stdout, the credential, is never quoted.
/// </summary>
public sealed class ExecCredentialRunnerTests : IDisposable
{
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Plugin(string name, string script)
    {
        var path = _files.Write(name, "#!/bin/sh\n" + script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Fact]
    public void A_failing_plugin_is_ExecPluginFailed_with_its_stderr_and_exit_code()
    {
        if (OperatingSystem.IsWindows()) return; // the fake plugins are shell scripts
        var plugin = Plugin("gke-gcloud-auth-plugin", """
            echo 'ERROR: gcloud crashed (NoActiveAccount): You do not currently have an active account selected.' >&2
            echo 'Please run: gcloud auth login' >&2
            exit 1
            """);
        var file = _files.ExecConfig("exec.yaml", "gke_p_zone_c", "https://10.0.0.1", plugin);

        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "gke_p_zone_c"));

        Assert.Equal("ExecPluginFailed", error.ErrorId);
        Assert.Equal(MeshErrorCategory.AuthenticationError, error.Category);
        Assert.Contains("exited with code 1", error.Message);
        Assert.Contains("You do not currently have an active account selected.", error.Message);
        Assert.Contains("Please run: gcloud auth login", error.Message);
        Assert.Contains("gcloud auth login", error.RecommendedAction);
    }

    [Fact]
    public void Stdout_is_never_quoted_and_tokens_in_stderr_are_redacted()
    {
        if (OperatingSystem.IsWindows()) return;
        var plugin = Plugin("leaky-plugin", """
            echo '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{}} stdout-secret-abc'
            echo 'token was ya29.a0AfH6SMBxyzsecret' >&2
            exit 0
            """);
        var file = _files.ExecConfig("exec.yaml", "ctx", "https://10.0.0.1", plugin);

        var error = Assert.Throws<MeshException>(() => KubeSession.Open([file], "ctx"));

        Assert.Equal("ExecPluginFailed", error.ErrorId);
        Assert.DoesNotContain("stdout-secret-abc", error.Message + error.RecommendedAction);
        Assert.DoesNotContain("ya29.a0AfH6SMBxyzsecret", error.Message);
        Assert.Contains("<redacted>", error.Message);
    }

    [Fact]
    public void The_plugin_gets_the_kubeconfig_args_and_env_and_a_non_interactive_exec_info()
    {
        if (OperatingSystem.IsWindows()) return;
        var plugin = Plugin("args-plugin", """
            case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) echo "interactive not false" >&2; exit 3;; esac
            case "$KUBERNETES_EXEC_INFO" in *'"server":"https://10.0.0.1"'*) ;; *) echo "no cluster info" >&2; exit 5;; esac
            [ -t 0 ] && { echo "stdin is a terminal" >&2; exit 4; }
            printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"%s-%s"}}' "$TOKEN_PREFIX" "$1"
            """);
        var file = _files.Write("exec.yaml", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {"{"}server: "https://10.0.0.1"{"}"}
            contexts:
            - name: c
              context: {"{"}cluster: c, user: u{"}"}
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {plugin}
                  args: [second-part]
                  env:
                  - name: TOKEN_PREFIX
                    value: first-part
                  interactiveMode: Never
                  provideClusterInfo: true
            """);

        using var session = KubeSession.Open([file], "c");
        var set = ClusterDiscovery.LoadSet(new ClusterQuery { Kubeconfig = [file] });
        var exec = set.FindUser("u")!.UserCredentials.ExternalExecution;
        var credential = ExecCredentialRunner.Run("c", exec, plugin, cluster: set.FindCluster("c")!.ClusterEndpoint);

        Assert.Equal("first-part-second-part", credential.Token);
    }

    [Fact]
    public void A_plugin_that_hangs_is_stopped_after_the_timeout()
    {
        if (OperatingSystem.IsWindows()) return;
        // The plugin becomes a 120 s sleep whose pid it writes down first: the run must end long before that sleep
        // would, and the sleep must be gone (killed) when it does. Both hold on a machine too loaded for a tight bound.
        var plugin = Plugin("slow-plugin", "echo $$ > \"$0.pid\"\nexec sleep 120\n");
        var file = _files.ExecConfig("exec.yaml", "ctx", "https://10.0.0.1", plugin);
        var set = ClusterDiscovery.LoadSet(new ClusterQuery { Kubeconfig = [file] });
        var exec = set.FindUser("ctx")!.UserCredentials.ExternalExecution;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<MeshException>(() => ExecCredentialRunner.Run("ctx", exec, plugin, TimeSpan.FromSeconds(1)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.Equal("ExecPluginFailed", error.ErrorId);
        Assert.Contains("did not finish within 1 s", error.Message);
        // No pid file: the kill came before the plugin's first line ran (and a killed plugin writes nothing later).
        if (!File.Exists(plugin + ".pid")) return;
        var pid = File.ReadAllText(plugin + ".pid").Trim();
        var status = $"/proc/{pid}/status";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (IsRunning(status) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.False(IsRunning(status), $"the plugin (pid {pid}) still runs");
    }

    // A killed process is gone, or a zombie until its parent reaps it.
    private static bool IsRunning(string statusPath)
    {
        try
        {
            return !File.ReadLines(statusPath).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
