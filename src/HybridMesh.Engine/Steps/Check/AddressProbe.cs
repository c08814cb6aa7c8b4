using System.Net.Sockets;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>Whether an address accepts a TCP connection from this machine (the workstation's view of reachability).</summary>
internal static class AddressProbe
{
    /// <summary>Null when <paramref name="server"/> accepted a connection, else why not.</summary>
    public static async Task<string?> ConnectAsync(Uri server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var port = server.IsDefaultPort ? (server.Scheme == Uri.UriSchemeHttp ? 80 : 443) : server.Port;
        using var client = new TcpClient();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(server.IdnHost, port, limit.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no connection to {server.IdnHost}:{port} within {timeout.TotalSeconds:0.#} s";
        }
        catch (SocketException ex)
        {
            return $"{server.IdnHost}:{port}: {ex.SocketErrorCode}";
        }
    }
}
