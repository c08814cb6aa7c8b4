using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace HybridMesh.Engine.Tests.Isolation;

/// <summary>
/// The isolation rule (docs/design/assemblies.md): HybridMesh.dll is loaded in the default load context, so it may reference
/// only the BCL, PowerShell, Models and Engine. One stray `using k8s;` in a cmdlet would load KubernetesClient (and
/// its YamlDotNet) into the default context and break other modules that ship their own versions.
/// </summary>
public class CmdletAssemblyReferencesTests
{
    [Fact]
    public void Cmdlet_assembly_references_only_framework_PowerShell_models_and_engine()
    {
        // Read the metadata rather than loading the assembly: loading needs System.Management.Automation, which
        // only a PowerShell host supplies.
        var path = Path.Combine(AppContext.BaseDirectory, "HybridMesh.dll");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = metadata.AssemblyReferences
            .Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))
            .ToArray();
        Assert.Contains("HybridMesh.Engine", names);
        var offending = names.Where(name => !IsAllowed(name)).ToArray();

        Assert.True(offending.Length == 0, "HybridMesh.dll references: " + string.Join(", ", offending));
    }

    [Fact]
    public void Models_assembly_references_only_the_framework()
    {
        var models = typeof(HybridMesh.Models.MeshCluster).Assembly;
        var offending = models.GetReferencedAssemblies().Select(a => a.Name!).Where(n => !IsFramework(n)).ToArray();
        Assert.True(offending.Length == 0, "HybridMesh.Models.dll references: " + string.Join(", ", offending));
    }

    [Fact]
    public void Engine_public_surface_exposes_no_third_party_types()
    {
        var engine = typeof(HybridMesh.Engine.Errors.MeshErrors).Assembly;
        var leaks = new List<string>();
        foreach (var type in engine.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                foreach (var used in TypesIn(member))
                {
                    if (IsThirdParty(used))
                    {
                        leaks.Add($"{type.FullName}.{member.Name} uses {used.FullName}");
                    }
                }
            }

            if (type.BaseType is { } baseType && IsThirdParty(baseType))
            {
                leaks.Add($"{type.FullName} derives from {baseType.FullName}");
            }
        }

        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
    }

    private static IEnumerable<Type> TypesIn(MemberInfo member) => member switch
    {
        MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType).SelectMany(Expand),
        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType).SelectMany(Expand),
        PropertyInfo p => Expand(p.PropertyType),
        FieldInfo f => Expand(f.FieldType),
        EventInfo e => Expand(e.EventHandlerType!),
        _ => [],
    };

    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()!))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }

    private static bool IsThirdParty(Type type)
    {
        var name = type.Assembly.GetName().Name!;
        return !IsFramework(name) && name is not ("HybridMesh.Models" or "HybridMesh.Engine");
    }

    private static bool IsAllowed(string name) =>
        IsFramework(name) || name is "System.Management.Automation" or "HybridMesh.Models" or "HybridMesh.Engine";

    private static bool IsFramework(string name) =>
        name is "netstandard" or "mscorlib" || name == "System" || name.StartsWith("System.", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal);
}
