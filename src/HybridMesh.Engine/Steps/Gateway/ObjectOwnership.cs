using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// Who an object of the gateway steps belongs to (docs/design/gateway-ownership.md). HybridMesh owns what it created:
/// those carry app.kubernetes.io/managed-by=hybridmesh, and only those are ever deleted by the teardown cmdlets. An
/// object another installer made (istioctl's field manager istio-operator, Helm, kubectl) is only written with -Force,
/// and then without our label and with an annotation naming where it came from, so a later Uninstall leaves it and a
/// later Install knows it was taken over on purpose.
/// </summary>
internal static class ObjectOwnership
{
    /// <summary>Annotation on an object -Force took over: the field managers that owned it before.</summary>
    public const string TakenOverAnnotation = "hybridmesh.io/taken-over-from";

    public static bool CreatedByModule(JsonNode live) =>
        GatewaySettingsResolver.Text(live["metadata"]?["labels"]?[ManifestLabels.ManagedByKey]) == ManifestLabels.ManagedByValue;

    /// <summary>The previous owner recorded by an earlier -Force takeover, or null.</summary>
    public static string? TakenOverFrom(JsonNode live) =>
        GatewaySettingsResolver.Text(live["metadata"]?["annotations"]?[TakenOverAnnotation]);

    /// <summary>
    /// The installer that owns <paramref name="live"/>: the field managers of its main resource (status writers such
    /// as the load-balancer controller work on the status subresource and do not count), else its managed-by label.
    /// </summary>
    public static string Owners(JsonNode live)
    {
        var managers = (live["metadata"]?["managedFields"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(e => e["subresource"] is null)
            .Select(e => GatewaySettingsResolver.Text(e["manager"]))
            .OfType<string>()
            .Where(m => m != KubeSession.DefaultFieldManager)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (managers.Length > 0)
        {
            return string.Join(", ", managers);
        }

        return GatewaySettingsResolver.Text(live["metadata"]?["labels"]?[ManifestLabels.ManagedByKey]) ?? "unknown";
    }

    /// <summary>
    /// The body applied to an object taken over: the desired object without the managed-by label (ownership is
    /// recorded only on creation) and with the annotation naming the previous owner.
    /// </summary>
    public static JsonObject AsTakenOver(JsonObject desired, string owners)
    {
        var body = (JsonObject)desired.DeepClone();
        var metadata = (JsonObject)body["metadata"]!;
        (metadata["labels"] as JsonObject)?.Remove(ManifestLabels.ManagedByKey);
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            metadata["annotations"] = annotations;
        }

        annotations[TakenOverAnnotation] = owners;
        return body;
    }
}
