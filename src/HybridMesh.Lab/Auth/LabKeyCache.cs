using System.Security.Cryptography;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// The service-account signing key of a lab process, optionally shared by the labs of one test run through a folder
/// named by <c>HYBRIDMESH_LAB_KEY_CACHE</c> (tools/Invoke-PesterTests.ps1 sets it inside the run's own temp folder,
/// which the run deletes). Generating the 2048-bit key was a fifth of a lab's start and most of its variance (a
/// 2-cluster lab: 1.20 CPU s on average without the folder, 0.97 with it, 8 starts each), and a Pester run starts ~30. Sharing it across processes keeps what sharing it across the clusters of one process
/// already keeps (docs/design/lab-reuse.md): each cluster signs with its own random key id and accepts only tokens
/// carrying that id, so a token of one cluster is refused by every other cluster of any lab. Without the variable
/// (users, the demo, the benchmarks, the xunit tests) every process generates its own key.
/// </summary>
internal static class LabKeyCache
{
    public const string Variable = "HYBRIDMESH_LAB_KEY_CACHE";

    public static RSA Rsa2048(string name) => Rsa2048(name, Environment.GetEnvironmentVariable(Variable));

    internal static RSA Rsa2048(string name, string? folder)
    {
        if (string.IsNullOrEmpty(folder)) return RSA.Create(2048);
        var path = Path.Combine(folder, name + ".pem");
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize == 2048) return key;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            // not there yet (or half written by a lab that died): make it
        }
        key.Dispose();
        var made = RSA.Create(2048);
        try
        {
            Directory.CreateDirectory(folder);
            // Written aside and moved in, so a lab starting at the same time reads a whole key or none.
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, made.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a folder that cannot be written: this lab keeps its own key
        }
        return made;
    }
}
