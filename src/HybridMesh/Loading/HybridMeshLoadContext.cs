using System.Reflection;
using System.Runtime.Loader;

namespace HybridMesh.Loading;

/// <summary>
/// The private load context that holds HybridMesh.Engine and every third-party assembly it needs (KubernetesClient,
/// YamlDotNet, Google.Apis, Newtonsoft.Json, ...), all from the module's deps/ folder. Other modules in the same
/// session may load other versions of those assemblies into the default context; neither side sees the other's.
/// </summary>
/// <remarks>
/// deps/ is the Engine's <c>dotnet publish</c> output, HybridMesh.Engine.deps.json included, and the runtime's own
/// <see cref="AssemblyDependencyResolver"/> reads that file: it picks the build for this OS from runtimes/&lt;rid&gt;/
/// (System.Management ships one for Windows under a framework folder the package decides), so no path is spelled
/// out here (docs/design/assemblies.md).
/// </remarks>
internal sealed class HybridMeshLoadContext : AssemblyLoadContext
{
    /// <summary>The assembly whose deps.json describes everything in deps/.</summary>
    internal const string EngineFileName = "HybridMesh.Engine.dll";

    private readonly AssemblyDependencyResolver _resolver;

    public HybridMeshLoadContext(string depsDirectory)
        : base("HybridMesh.Engine", isCollectible: false)
    {
        DepsDirectory = depsDirectory;
        _resolver = new AssemblyDependencyResolver(Path.Combine(depsDirectory, EngineFileName));
    }

    public string DepsDirectory { get; }

    /// <summary>Where this context loads <paramref name="assemblyName"/> from, or null when the default context does.</summary>
    internal string? ResolvePath(AssemblyName assemblyName) =>
        IsShared(assemblyName.Name) ? null : _resolver.ResolveAssemblyToPath(assemblyName);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared with the default context so that Models types and PowerShell types are the same on both sides;
        // anything deps.json does not list (the framework, the host) also comes from there.
        var path = ResolvePath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    internal static bool IsShared(string? name) =>
        name is "HybridMesh.Models" or "System.Management.Automation" or "HybridMesh";
}
