using System.Security.Cryptography;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// The two RSA 2048 keys a lab process generates (the clusters' service-account signing key and the fleet's
/// service-account key), optionally shared by the labs of one test run through a folder named by
/// <c>HYBRIDMESH_LAB_KEY_CACHE</c> (tools/Invoke-PesterTests.ps1 sets it inside the run's own temp folder, which the
/// run deletes). Generating them was ~40% of a lab's start and most of its variance (a 2-cluster lab: 1.37 CPU s on
/// average without the folder, 0.80 with it, 8 starts each), and a Pester run starts ~30 labs. What a test sees stays
/// the same (docs/design/lab-reuse.md): each cluster signs with its own random key id and accepts only tokens carrying
/// it, and each fleet has its own key id and refuses an assertion naming another, so a token of one cluster, or the
/// credential file of one fleet, is refused by every other lab. Without the variable (users, the demo, the benchmarks,
/// the xunit tests) every process generates its own keys.
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
