using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>
/// Google.Apis.Auth probes the GCE metadata server (169.254.169.254 by default) when it looks for credentials.
/// Tests must never send traffic off this machine, so every test process points GCE_METADATA_HOST at a closed port
/// on 127.0.0.1 before any test runs.
/// </summary>
internal static class LoopbackMetadataHost
{
    public static string Address { get; private set; } = "";

    [ModuleInitializer]
    internal static void Initialize()
    {
        var current = Environment.GetEnvironmentVariable("GCE_METADATA_HOST");
        if (current is not null && current.StartsWith("127.0.0.1:", StringComparison.Ordinal))
        {
            Address = current;
            return;
        }

        Address = "127.0.0.1:" + ClosedPort();
        Environment.SetEnvironmentVariable("GCE_METADATA_HOST", Address);
    }

    /// <summary>A loopback port nothing listens on (bound once to get a free number, then released).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
