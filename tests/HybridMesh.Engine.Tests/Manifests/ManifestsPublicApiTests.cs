using System.Reflection;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>
/// The Engine is loaded in a private AssemblyLoadContext, so its public surface may only use types every context
/// shares: the BCL and HybridMesh.Models. This checks the manifest layer's surface (types, members, parameters).
/// </summary>
public class ManifestsPublicApiTests
{
    [Fact]
    public void Public_signatures_use_only_bcl_and_models_types()
    {
        var offenders = new List<string>();
        var types = typeof(EastWestGatewayRenderer).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(EastWestGatewayRenderer).Namespace)
            .ToList();
        Assert.Contains(typeof(EastWestGatewayOptions), types);

        foreach (var type in types)
        {
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                var used = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    _ => [],
                };
                offenders.AddRange(used.SelectMany(Flatten).Where(t => !Allowed(t))
                    .Select(t => $"{type.Name}.{member.Name}: {t.FullName}"));
            }
        }

        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        var element = type.HasElementType ? type.GetElementType()! : type;
        yield return element;
        if (element.IsGenericType)
        {
            foreach (var argument in element.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    private static bool Allowed(Type type)
    {
        var assembly = type.Assembly.GetName().Name ?? "";
        return type.IsGenericParameter || assembly is "System.Private.CoreLib" or "HybridMesh.Models" or "HybridMesh.Engine" ||
               assembly.StartsWith("System.", StringComparison.Ordinal);
    }
}
