using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.KubeConfigModels;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Runs a kubeconfig exec credential plugin (users[].user.exec) the way kubectl does, but with every stream captured:
/// KubernetesClient lets the plugin write its stderr straight to the console, outside PowerShell's streams, and then
/// reports only that its output was not an ExecCredential. Here stdout (the credential) is parsed and never repeated,
/// stderr and the exit code go into ExecPluginFailed, and nothing reaches the console (docs/design/kubeconfigs.md).
/// The plugin gets the kubeconfig's args and env, KUBERNETES_EXEC_INFO with interactive=false (the module never
/// prompts, as interactiveMode Never asks) and, with provideClusterInfo, the cluster's server and CA; no stdin; a timeout.
/// </summary>
internal static partial class ExecCredentialRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);
    private const int MaxStderr = 2000;

    /// <summary>A credential from the plugin: a bearer token, or a client certificate and key (PEM).</summary>
    public sealed record ExecCredential(string? Token, string? ClientCertificatePem, string? ClientKeyPem);

    /// <param name="cluster">The context's cluster; passed in KUBERNETES_EXEC_INFO when provideClusterInfo is set.</param>
    public static ExecCredential Run(string context, ExternalExecution exec, string path, TimeSpan? timeout = null,
        ClusterEndpoint? cluster = null)
    {
        var command = Path.GetFileName(exec.Command);
        var apiVersion = string.IsNullOrEmpty(exec.ApiVersion) ? "client.authentication.k8s.io/v1beta1" : exec.ApiVersion;
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in exec.Arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in exec.EnvironmentVariables ?? [])
        {
            if (variable.TryGetValue("name", out var name) && !string.IsNullOrEmpty(name))
            {
                start.Environment[name] = variable.TryGetValue("value", out var value) ? value : "";
            }
        }

        var spec = new JsonObject { ["interactive"] = false };
        if (exec.ProvideClusterInfo && cluster is not null)
        {
            var info = new JsonObject { ["server"] = cluster.Server };
            if (!string.IsNullOrEmpty(cluster.CertificateAuthorityData)) info["certificate-authority-data"] = cluster.CertificateAuthorityData;
            if (!string.IsNullOrEmpty(cluster.TlsServerName)) info["tls-server-name"] = cluster.TlsServerName;
            if (cluster.SkipTlsVerify) info["insecure-skip-tls-verify"] = true;
            spec["cluster"] = info;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "ExecCredential",
            ["spec"] = spec,
        }.ToJsonString();

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw MeshErrors.ExecPluginFailed(context, command, $"it could not be started ({ex.Message}).", null);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended in the meantime.
            }

            throw MeshErrors.ExecPluginFailed(context, command, $"it did not finish within {limit.TotalSeconds:0} s.", null);
        }

        process.WaitForExit();
        var errorText = Clean(stderr.GetAwaiter().GetResult());
        var output = stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw MeshErrors.ExecPluginFailed(context, command,
                $"it exited with code {process.ExitCode}" + (errorText.Length > 0 ? $"; its error output: {errorText}" : " and wrote no error output."),
                null);
        }

        return Parse(context, command, apiVersion, output, errorText);
    }

    // stdout holds the credential: it is never quoted, whatever it contains.
    private static ExecCredential Parse(string context, string command, string apiVersion, string output, string errorText)
    {
        var suffix = errorText.Length > 0 ? $" Its error output: {errorText}" : "";
        JsonNode? credential;
        try
        {
            credential = JsonNode.Parse(output);
        }
        catch (JsonException)
        {
            credential = null;
        }

        if (credential is not JsonObject || (string?)credential["kind"] != "ExecCredential")
        {
            throw MeshErrors.ExecPluginFailed(context, command,
                "it exited with code 0 but its output is not an ExecCredential." + suffix, null);
        }

        if (credential["apiVersion"] is JsonValue version && (string?)version != apiVersion)
        {
            throw MeshErrors.ExecPluginFailed(context, command,
                $"its ExecCredential apiVersion '{(string?)version}' differs from the kubeconfig's '{apiVersion}'.", null);
        }

        var status = credential["status"];
        var token = Text(status?["token"]);
        var certificate = Text(status?["clientCertificateData"]);
        var key = Text(status?["clientKeyData"]);
        if (token is null && (certificate is null || key is null))
        {
            throw MeshErrors.ExecPluginFailed(context, command,
                "its ExecCredential holds neither a token nor a client certificate and key." + suffix, null);
        }

        return new ExecCredential(token, certificate, key);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>stderr on one line, shortened, with anything shaped like a token removed.</summary>
    internal static string Clean(string stderr)
    {
        var text = TokenPattern().Replace(stderr, "<redacted>");
        text = string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length > MaxStderr ? text[..MaxStderr] + " ..." : text;
    }

    // Google access tokens (ya29.), JWTs (eyJ...), and long opaque strings.
    [GeneratedRegex(@"ya29\.[A-Za-z0-9_\-\.]+|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]*)?|[A-Za-z0-9_\-]{60,}")]
    private static partial Regex TokenPattern();
}
