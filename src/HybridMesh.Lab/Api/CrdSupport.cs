using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>
/// CustomResourceDefinitions: accepted at once (Established), their served versions registered for discovery and
/// REST, their objects removed with them. Conversion is always None: one stored object, served under every version.
/// </summary>
internal static class CrdSupport
{
    private static bool IsCrd(ResourceType t) => t.Plural == "customresourcedefinitions" && t.Group == "apiextensions.k8s.io";

    public static void Default(ResourceType t, JsonObject obj)
    {
        if (!IsCrd(t)) return;
        var spec = obj["spec"] as JsonObject ?? new JsonObject();
        spec["scope"] ??= "Namespaced";
        var names = spec["names"] as JsonObject ?? new JsonObject();
        names["singular"] ??= ((string?)names["kind"] ?? "").ToLowerInvariant();
        names["listKind"] ??= (string?)names["kind"] + "List";
        spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
        var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true);
        obj["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found" },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted" }),
            ["acceptedNames"] = names.DeepClone(),
            ["storedVersions"] = new JsonArray((string?)storage?["name"] ?? "v1"),
        };
    }

    public static void Validate(ResourceType t, JsonObject obj)
    {
        if (!IsCrd(t)) return;
        var name = (string?)obj["metadata"]?["name"] ?? "";
        var plural = (string?)obj["spec"]?["names"]?["plural"] ?? "";
        var group = (string?)obj["spec"]?["group"] ?? "";
        if (name != $"{plural}.{group}")
            throw KubeStatus.Invalid(t.Kind, t.Group, name,
                [new("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group")]);
        var versions = (obj["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (versions.Count(v => v["storage"]?.GetValue<bool>() == true) != 1)
            throw KubeStatus.Invalid(t.Kind, t.Group, name,
                [new("FieldValueInvalid", "spec.versions", "Invalid value: []apiextensions.CustomResourceDefinitionVersion: must have exactly one version marked as storage version")]);
    }

    public static void AfterWrite(ClusterRuntime rt, ResourceType t, JsonObject obj)
    {
        if (IsCrd(t)) rt.Registry.SetCrd((string)obj["metadata"]!["name"]!, obj);
    }

    public static void AfterDelete(ClusterRuntime rt, ResourceType t, JsonObject obj)
    {
        if (!IsCrd(t)) return;
        var group = (string?)obj["spec"]?["group"] ?? "";
        var plural = (string?)obj["spec"]?["names"]?["plural"] ?? "";
        var gr = $"{plural}.{group}";
        foreach (var o in rt.Store.List(gr, null).Items)
            rt.Store.Remove(gr, (string?)o["metadata"]?["namespace"], (string)o["metadata"]!["name"]!);
        rt.Registry.RemoveCrd((string)obj["metadata"]!["name"]!);
    }
}
