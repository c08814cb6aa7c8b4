using System.Reflection;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// The Engine is loaded in a private AssemblyLoadContext, so its public API may only speak BCL and Models types; a
/// KubernetesClient or YamlDotNet type in a public signature would break isolation for whoever calls it.
/// </summary>
public sealed class KubePublicSurfaceTests
{
    private static bool Allowed(Type type)
    {
        if (type.IsGenericParameter)
        {
            return true;
        }

        if (type.HasElementType)
        {
            return Allowed(type.GetElementType()!);
        }

        if (type.IsGenericType && !type.GetGenericArguments().All(Allowed))
        {
            return false;
        }

        var assembly = type.Assembly.GetName().Name ?? "";
        return assembly.StartsWith("System", StringComparison.Ordinal) || assembly is "mscorlib" or "netstandard" ||
               assembly.StartsWith("HybridMesh", StringComparison.Ordinal);
    }

    [Fact]
    public void Kube_and_Steps_public_members_use_only_BCL_and_HybridMesh_types()
    {
        var types = typeof(KubeSession).Assembly.GetExportedTypes()
            .Where(t => t.Namespace is "HybridMesh.Engine.Kube" or "HybridMesh.Engine.Steps");
        var offenders = new List<string>();
        foreach (var type in types)
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var used = member switch
                {
                    MethodBase method => method.GetParameters().Select(p => p.ParameterType)
                        .Concat(method is MethodInfo info ? [info.ReturnType] : []),
                    PropertyInfo property => [property.PropertyType],
                    FieldInfo field => [field.FieldType],
                    _ => [],
                };
                offenders.AddRange(used.Where(t => !Allowed(t)).Select(t => $"{type.Name}.{member.Name}: {t.FullName}"));
            }
        }

        Assert.Empty(offenders);
    }
}
