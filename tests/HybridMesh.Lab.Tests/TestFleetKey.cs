using System.Security.Cryptography;
using HybridMesh.Lab.Fleet;

namespace HybridMesh.Lab.Tests;

/// <summary>
/// One fleet service-account key per test process. Every lab writes its fleet's credential file at start, so each
/// lab (and each fleet whose key a test uses) generated an RSA 2048 key: 62 of them were a quarter of the Engine
/// tests' CPU. The fleets of the test kits share this one; a test about refusing another fleet's credential file
/// starts that other fleet without it, so it gets a key of its own (docs/design/test-suite.md).
/// </summary>
public static class TestFleetKey
{
    private static readonly Lazy<string> Pem = new(() =>
    {
        using var key = RSA.Create(2048);
        return key.ExportPkcs8PrivateKeyPem();
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ServiceAccountKeyPem => Pem.Value;

    /// <summary>Fleet defaults with the shared key (for <see cref="LabOptions.Fleet"/>).</summary>
    public static FleetOptions Options() => new() { ServiceAccountKeyPem = Pem.Value };
}
