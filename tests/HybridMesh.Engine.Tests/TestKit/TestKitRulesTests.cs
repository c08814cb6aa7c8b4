using System.Reflection;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests;

/// <summary>The test kit's own rules: one sink double, one naming style (README, Testing).</summary>
public sealed class TestKitRulesTests
{
    private static readonly Type[] Types = typeof(TestKitRulesTests).Assembly.GetTypes();

    [Fact]
    public void RecordingSink_is_the_only_IMeshSink_double()
    {
        var sinks = Types.Where(t => typeof(IMeshSink).IsAssignableFrom(t) && !t.IsInterface).Select(t => t.FullName ?? t.Name).ToArray();
        Assert.Equal(new[] { typeof(RecordingSink).FullName! }, sinks);
    }

    [Fact]
    public void Every_test_is_named_as_a_sentence_with_underscores()
    {
        var tests = Types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any())
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();
        Assert.NotEmpty(tests);
        Assert.DoesNotContain(tests, name => !name.Split('.')[1].Contains('_', StringComparison.Ordinal));
    }
}
