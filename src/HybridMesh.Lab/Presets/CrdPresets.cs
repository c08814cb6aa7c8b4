using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Presets;

/// <summary>The CRDs an ASM install and a fleet registration leave: Istio's Gateway and GKE Hub's Membership.</summary>
internal static class CrdPresets
{
    /// <summary>
    /// gateways.networking.istio.io, stored as v1alpha3, served as v1alpha3, v1beta1 and (unless
    /// <paramref name="serveV1"/> is false, like Istio before 1.22) v1.
    /// </summary>
    public static JsonObject IstioGateway(bool serveV1)
    {
        var versions = new JsonArray();
        foreach (var v in serveV1 ? new[] { "v1", "v1alpha3", "v1beta1" } : ["v1alpha3", "v1beta1"])
            versions.Add(new JsonObject
            {
                ["name"] = v, ["served"] = true, ["storage"] = v == "v1alpha3",
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                },
                ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
            });
        return Crd("gateways.networking.istio.io", "networking.istio.io", "Gateway", "gateways", "gateway", "Namespaced",
            ["gw"], ["istio-io", "networking-istio-io"], versions, new JsonObject { ["app"] = "istio-pilot", ["chart"] = "istio", ["heritage"] = "Tiller", ["release"] = "istio" });
    }

    public static JsonObject HubMembership()
    {
        var versions = new JsonArray(new JsonObject
        {
            ["name"] = "v1", ["served"] = true, ["storage"] = true,
            ["schema"] = new JsonObject
            {
                ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            },
        });
        return Crd("memberships.hub.gke.io", "hub.gke.io", "Membership", "memberships", "membership", "Cluster", [], [], versions, null);
    }

    private static JsonObject Crd(string name, string group, string kind, string plural, string singular, string scope,
        string[] shortNames, string[] categories, JsonArray versions, JsonObject? labels)
    {
        var names = new JsonObject { ["kind"] = kind, ["listKind"] = kind + "List", ["plural"] = plural, ["singular"] = singular };
        if (shortNames.Length > 0) names["shortNames"] = BootstrapPreset.Arr(shortNames);
        if (categories.Length > 0) names["categories"] = BootstrapPreset.Arr(categories);
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null) meta["labels"] = labels;
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1", ["kind"] = "CustomResourceDefinition", ["metadata"] = meta,
            ["spec"] = new JsonObject { ["group"] = group, ["names"] = names, ["scope"] = scope, ["versions"] = versions },
        };
    }
}
