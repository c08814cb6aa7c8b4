namespace HybridMesh.Engine.Tests.Kube;

/// <summary>Kubeconfig files written per test into a private temp folder (deleted on dispose).</summary>
internal sealed class KubeTestFiles : IDisposable
{
    /// <summary>A dummy bearer token; tests assert it never shows up in messages or output.</summary>
    public const string Token = "sekrit-token-0123456789abcdef";

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("hybridmesh-kube-").FullName;

    public string Write(string fileName, string yaml)
    {
        var path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A one-context kubeconfig with bearer-token auth against <paramref name="server"/>.</summary>
    public string TokenConfig(string fileName, string context, string server, string token = Token) =>
        Write(fileName, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {context}
              cluster:
                server: {server}
            contexts:
            - name: {context}
              context:
                cluster: {context}
                user: {context}
            current-context: {context}
            users:
            - name: {context}
              user:
                token: {token}
            """);

    /// <summary>A one-context kubeconfig whose user runs an exec plugin.</summary>
    public string ExecConfig(string fileName, string context, string server, string command, string? installHint = null) =>
        Write(fileName, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {context}
              cluster:
                server: {server}
            contexts:
            - name: {context}
              context:
                cluster: {context}
                user: {context}
            users:
            - name: {context}
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: {command}
            {(installHint is null ? "" : $"      installHint: {installHint}")}
                  provideClusterInfo: true
            """);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
