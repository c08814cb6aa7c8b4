using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HybridMesh.Lab.Server;

/// <summary>Kestrel on 127.0.0.1, random port, HTTPS (HTTP/1.1 and HTTP/2 by ALPN, as kube-apiserver offers).</summary>
internal static class ClusterServer
{
    public static async Task<(WebApplication App, int Port)> StartAsync(X509Certificate2? certificate, RequestDelegate handler, CancellationToken ct)
    {
        var builder = LabWebHost.CreateBuilder();
        builder.Logging.ClearProviders();
        // open watches and exec sockets must not hold a test's teardown for the default 30 s
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is null)
                {
                    listen.Protocols = HttpProtocols.Http1;
                    return;
                }
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(handler);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address).Port);
    }
}
