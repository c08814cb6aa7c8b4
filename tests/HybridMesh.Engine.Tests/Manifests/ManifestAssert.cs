using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Tests.Manifests;

internal static class ManifestAssert
{
    public static JsonObject Single(IEnumerable<JsonObject> objects, string kind) =>
        Assert.Single(objects, o => (string?)o["kind"] == kind);

    public static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject obj
            ? obj.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>())
            : [];

    public static string[] Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToArray() : [];

    public static void EqualJson(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"expected:\n{expected?.ToJsonString()}\nactual:\n{actual?.ToJsonString()}");
}
