using Microsoft.AspNetCore.Builder;

namespace HybridMesh.Lab.Server;

/// <summary>
/// The one way the lab builds an ASP.NET Core host (every simulated API server, the control API, the fleet).
/// The default builder adds appsettings.json with reload-on-change, which opens one inotify instance per host; Linux
/// allows 128 per user by default, so a lab stopped near 95 clusters (docs/design/scale.md). The lab reads no
/// configuration files, so nothing is watched.
/// </summary>
internal static class LabWebHost
{
    public static WebApplicationBuilder CreateBuilder() =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
}
