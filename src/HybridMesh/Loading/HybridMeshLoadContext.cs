using System.Reflection;
using System.Runtime.Loader;

namespace HybridMesh.Loading;

/// <summary>
/// The private load context that holds HybridMesh.Engine and every third-party assembly it needs (KubernetesClient,
/// YamlDotNet, Google.Apis, Newtonsoft.Json, ...), all from the module's deps/ folder. Other modules in the same
/// session may load other versions of those assemblies into the default context; neither side sees the other's.
/// </summary>
internal sealed class HybridMeshLoadContext : AssemblyLoadContext
{
    private readonly string _depsDirectory;

    public HybridMeshLoadContext(string depsDirectory)
        : base("HybridMesh.Engine", isCollectible: false)
    {
        _depsDirectory = depsDirectory;
    }

    public string DepsDirectory => _depsDirectory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared with the default context so that Models types and PowerShell types are the same on both sides.
        if (IsShared(assemblyName.Name))
        {
            return null;
        }

        // Packages with OS-specific builds (System.Management, used by Google.Apis.Auth) ship them under runtimes/.
        if (OperatingSystem.IsWindows())
        {
            var windows = Path.Combine(_depsDirectory, "runtimes", "win", "lib", "net8.0", assemblyName.Name + ".dll");
            if (File.Exists(windows))
            {
                return LoadFromAssemblyPath(windows);
            }
        }

        var candidate = Path.Combine(_depsDirectory, assemblyName.Name + ".dll");
        if (File.Exists(candidate))
        {
            return LoadFromAssemblyPath(candidate);
        }

        // Not ours: the framework (or the host) supplies it through the default context.
        return null;
    }

    internal static bool IsShared(string? name) =>
        name is "HybridMesh.Models" or "System.Management.Automation" or "HybridMesh";
}
