using System.Runtime.InteropServices;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>Files that hold keys: created readable and writable by the owner only (0600) on Linux and macOS.</summary>
internal static class PrivateFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            options.UnixCreateMode = OwnerOnly;
            if (File.Exists(path))
            {
                // UnixCreateMode applies only to new files: tighten an existing one before its content changes.
                File.SetUnixFileMode(path, OwnerOnly);
            }
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
