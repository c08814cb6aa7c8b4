using System.Reflection;
using HybridMesh.Engine.Google;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>
/// The Engine is loaded in a private AssemblyLoadContext, so its public API may only use BCL, Models and Engine
/// types. This checks the Google and environment parts; a Google.Apis or Newtonsoft type here would break isolation.
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void Google_and_environment_types_expose_only_bcl_models_and_engine_types()
    {
        var engine = typeof(GoogleApis).Assembly;
        var ours = engine.GetExportedTypes()
            .Where(t => t.Namespace is "HybridMesh.Engine.Google" or "HybridMesh.Engine.Steps")
            .ToArray();
        Assert.Contains(typeof(GoogleApiOptions), ours);

        var offenders = new List<string>();
        foreach (var type in ours)
        {
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly);
            foreach (var used in members.SelectMany(TypesOf).Concat(type.GetInterfaces()).Append(type.BaseType!))
            {
                if (used is not null && !Allowed(used, engine))
                {
                    offenders.Add($"{type.Name}: {used.FullName}");
                }
            }
        }

        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        PropertyInfo p => [p.PropertyType],
        FieldInfo f => [f.FieldType],
        _ => [],
    };

    private static bool Allowed(Type type, Assembly engine)
    {
        if (type.IsGenericParameter)
        {
            return true;
        }

        if (type.HasElementType)
        {
            return Allowed(type.GetElementType()!, engine);
        }

        if (type.IsGenericType && !type.GetGenericArguments().All(a => Allowed(a, engine)))
        {
            return false;
        }

        var assembly = type.Assembly;
        return assembly == engine || assembly.GetName().Name == "HybridMesh.Models" ||
               assembly == typeof(object).Assembly || assembly.GetName().Name!.StartsWith("System.", StringComparison.Ordinal);
    }
}
