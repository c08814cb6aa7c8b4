using System.Text;

namespace HybridMesh.Lab.Server;

/// <summary>Writes a kubeconfig with certificate-authority-data and a bearer token, shaped like the platform's own.</summary>
internal static class KubeconfigWriter
{
    public static string Render(string clusterName, string contextName, string userName, string server, string caPem, string token)
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {clusterName}
              cluster:
                server: {server}
                certificate-authority-data: {ca}
            contexts:
            - name: {contextName}
              context:
                cluster: {clusterName}
                user: {userName}
            current-context: {contextName}
            users:
            - name: {userName}
              user:
                token: {token}

            """;
    }

    public static void Write(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
