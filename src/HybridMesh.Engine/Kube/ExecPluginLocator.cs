namespace HybridMesh.Engine.Kube;

/// <summary>
/// Finds an exec credential plugin the way the process start will, so a missing plugin is reported as such
/// (ExecPluginNotFound with an install hint) before KubernetesClient turns it into a generic exec failure.
/// </summary>
internal static class ExecPluginLocator
{
    /// <summary>The full path of <paramref name="command"/>, or null when it cannot be found.</summary>
    public static string? Find(string command, string? kubeconfigDirectory, string? pathVariable = null)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return null;
        }

        if (Path.IsPathRooted(command))
        {
            return ExistingExecutable(command);
        }

        // A relative path with a directory part is relative to the kubeconfig (as client-go resolves it), else
        // to the current directory.
        if (command.Contains('/') || command.Contains(Path.DirectorySeparatorChar))
        {
            return (kubeconfigDirectory is null ? null : ExistingExecutable(Path.Combine(kubeconfigDirectory, command)))
                   ?? ExistingExecutable(Path.GetFullPath(command));
        }

        var path = pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ExistingExecutable(Path.Combine(directory, command)) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? ExistingExecutable(string candidate)
    {
        if (File.Exists(candidate))
        {
            return candidate;
        }

        if (OperatingSystem.IsWindows() && !Path.HasExtension(candidate))
        {
            var extensions = (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD")
                .Split(';', StringSplitOptions.RemoveEmptyEntries);
            foreach (var extension in extensions)
            {
                if (File.Exists(candidate + extension))
                {
                    return candidate + extension;
                }
            }
        }

        return null;
    }
}
