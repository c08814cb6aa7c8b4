using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace HybridMesh.Loading;

/// <summary>
/// Runs when Import-Module loads HybridMesh.dll. The cmdlets reference HybridMesh.Engine, which does not sit beside
/// HybridMesh.dll (so PowerShell's own probing cannot find it and load it into the default context); the first time
/// the runtime needs it, the Resolving handler below loads it into <see cref="HybridMeshLoadContext"/> from deps/.
/// The handler answers only for HybridMesh.Engine: every other dependency is then resolved by the private context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object Gate = new();
    private static HybridMeshLoadContext? _context;
    private static bool _subscribed;

    /// <summary>The private context, created once per process (Import-Module -Force must not create a second one).</summary>
    internal static HybridMeshLoadContext LoadContext
    {
        get
        {
            lock (Gate)
            {
                if (_context is null)
                {
                    var moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
                    _context = new HybridMeshLoadContext(Path.Combine(moduleDirectory, "deps"));
                }

                return _context;
            }
        }
    }

    /// <summary>
    /// Also subscribe as soon as the runtime loads HybridMesh.dll, before PowerShell inspects its types: a type whose
    /// signature mentions an Engine type would otherwise fail to load during that scan.
    /// </summary>
#pragma warning disable CA2255 // deliberate: the handler must exist before PowerShell reflects over our types
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void OnAssemblyLoad() => new ModuleInitializer().OnImport();
#pragma warning restore CA2255

    public void OnImport()
    {
        lock (Gate)
        {
            if (_subscribed)
            {
                return;
            }

            AssemblyLoadContext.Default.Resolving += ResolveEngine;
            _subscribed = true;
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        lock (Gate)
        {
            if (!_subscribed)
            {
                return;
            }

            AssemblyLoadContext.Default.Resolving -= ResolveEngine;
            _subscribed = false;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "HybridMesh.Engine")
        {
            return null;
        }

        var path = Path.Combine(LoadContext.DepsDirectory, HybridMeshLoadContext.EngineFileName);
        return File.Exists(path) ? LoadContext.LoadFromAssemblyPath(path) : null;
    }
}
