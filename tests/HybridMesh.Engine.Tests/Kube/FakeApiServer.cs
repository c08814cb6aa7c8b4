using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>What the fake server received.</summary>
internal sealed record FakeRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => Target.Split('?')[0];
    public string Query => Target.Contains('?') ? Target[(Target.IndexOf('?') + 1)..] : "";
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

internal enum FakeReplyKind { Normal, Reset, Hang }

/// <summary>How the fake server answers: a status with a body, a TCP reset, or nothing at all.</summary>
internal sealed record FakeReply(int Status, string Body = "", string ContentType = "application/json",
    IReadOnlyDictionary<string, string>? Headers = null, FakeReplyKind Kind = FakeReplyKind.Normal)
{
    public static FakeReply Json(int status, string body) => new(status, body);
    public static FakeReply Text(int status, string body) => new(status, body, "text/plain; charset=utf-8");
    public static readonly FakeReply Reset = new(0, Kind: FakeReplyKind.Reset);
    public static readonly FakeReply Hang = new(0, Kind: FakeReplyKind.Hang);

    public static FakeReply NotFound(string plural, string name) => Json(404,
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{plural}} \"{{name}}\" not found","reason":"NotFound","details":{"name":"{{name}}","kind":"{{plural}}"},"code":404}""");
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 that answers with the shapes a real kube-apiserver gives
/// (kube-api-transcripts.md), and can also drop a connection or never answer. One request per connection
/// ("Connection: close"), so every retry the client makes is a new, observable request.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FakeRequest, FakeReply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly X509Certificate2? _certificate;

    private FakeApiServer(Func<FakeRequest, FakeReply> handler, X509Certificate2? certificate)
    {
        _handler = handler;
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public static FakeApiServer Start(Func<FakeRequest, FakeReply> handler) => new(handler, null);

    /// <summary>The same server behind TLS with <paramref name="certificate"/> (which must hold its private key).</summary>
    public static FakeApiServer StartTls(Func<FakeRequest, FakeReply> handler, X509Certificate2 certificate) =>
        new(handler, certificate);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}";

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>TCP connections accepted, including ones that never got as far as a request (failed handshakes).</summary>
    public int Connections => _connections;

    private int _connections;

    public int Count(string method, string path) => Requests.Count(r => r.Method == method && r.Path == path);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        try
        {
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(_certificate);
                stream = tls;
            }

            var request = await ReadRequest(stream);
            if (request is null)
            {
                client.Dispose();
                return;
            }

            Requests.Enqueue(request);
            var reply = _handler(request);
            switch (reply.Kind)
            {
                case FakeReplyKind.Reset:
                    // Linger 0 makes Close send RST: the client sees a connection reset, not a clean end.
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close();
                    return;
                case FakeReplyKind.Hang:
                    try
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    client.Dispose();
                    return;
            }

            var body = Encoding.UTF8.GetBytes(reply.Body);
            var head = new StringBuilder()
                .Append($"HTTP/1.1 {reply.Status} {ReasonPhrase(reply.Status)}\r\n")
                .Append($"Content-Type: {reply.ContentType}\r\n")
                .Append($"Content-Length: {body.Length}\r\n")
                .Append("Audit-Id: 00000000-0000-0000-0000-000000000000\r\n")
                .Append("Cache-Control: no-cache, private\r\n")
                .Append("Connection: close\r\n");
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                head.Append($"{name}: {value}\r\n");
            }

            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            await stream.WriteAsync(body);
            await stream.FlushAsync();
            client.Dispose();
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            // Includes a client that rejects our certificate during the handshake.
            client.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task<FakeRequest?> ReadRequest(Stream stream)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                return null;
            }

            buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }

        var headText = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray());
        var lines = headText.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text) : 0;
        var bodyBytes = buffer.Skip(headerEnd + 4).ToList();
        while (bodyBytes.Count < length)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                break;
            }

            bodyBytes.AddRange(chunk.AsSpan(0, read).ToArray());
        }

        return new FakeRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(bodyBytes.ToArray()));
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK", 201 => "Created", 400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden",
        404 => "Not Found", 409 => "Conflict", 422 => "Unprocessable Entity", 429 => "Too Many Requests",
        500 => "Internal Server Error", 502 => "Bad Gateway", 503 => "Service Unavailable", 504 => "Gateway Timeout",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}
