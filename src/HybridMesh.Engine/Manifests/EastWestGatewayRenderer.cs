using System.Text.Json.Nodes;
using HybridMesh.Models;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Runbook step 3 without istioctl: the plain Kubernetes objects equivalent to what `istioctl install` renders for
/// gen-eastwest-gateway.sh's IstioOperator (docs/design/gateway-objects.md). Names, labels and selectors match istioctl's exactly, so
/// a gateway installed either way can be managed by the other. The proxy itself comes from Istio's gateway injection
/// (image "auto" + template "gateway"); the injector adds mesh id, cluster id and network from the control plane.
/// </summary>
internal static class EastWestGatewayRenderer
{
    public const string GatewayName = "istio-eastwestgateway";
    public const string ServiceAccountName = "istio-eastwestgateway-service-account";
    public const string SdsRoleName = "istio-eastwestgateway-sds";
    public const int StatusPort = 15021;
    public const int TlsPort = 15443;
    public const int IstiodTlsPort = 15012;
    public const int WebhookTlsPort = 15017;
    public const int EnvoyPrometheusPort = 15090;

    /// <summary>Service ports in istioctl's order: name and port (targetPort is the same number).</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> ServicePorts { get; } =
    [
        new("status-port", StatusPort),
        new("tls", TlsPort),
        new("tls-istiod", IstiodTlsPort),
        new("tls-webhook", WebhookTlsPort),
    ];

    /// <summary>
    /// The three labels that identify the gateway: Deployment selector, pod labels, Service labels and selector.
    /// istiod treats a Service carrying topology.istio.io/network as that network's gateway.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> GatewayLabels(string network) =>
    [
        new("istio", "eastwestgateway"),
        new("app", GatewayName),
        new(ManifestLabels.NetworkKey, network),
    ];

    /// <summary>
    /// Objects in apply order: ServiceAccount, Role, RoleBinding, Deployment, Service, HorizontalPodAutoscaler and,
    /// when requested, PodDisruptionBudget. Throws MeshException for invalid options.
    /// </summary>
    public static IReadOnlyList<JsonObject> Render(EastWestGatewayOptions options)
    {
        var gateway = EastWestGatewayValidation.Validate(options);
        var objects = new List<JsonObject>
        {
            ServiceAccount(gateway),
            SdsRole(gateway),
            SdsRoleBinding(gateway),
            EastWestGatewayDeployment.Render(gateway),
            EastWestGatewayService.Render(gateway),
            Autoscaler(gateway),
        };
        if (gateway.IncludePodDisruptionBudget)
        {
            objects.Add(DisruptionBudget(gateway));
        }

        return objects;
    }

    /// <summary>
    /// True when <paramref name="live"/> (a Deployment read from the cluster) cannot be updated into
    /// <paramref name="desired"/> because spec.selector differs: apps/v1 selectors are immutable, and the gateway's
    /// selector holds the network label, so a network change means delete and recreate (docs/design/gateway-objects.md).
    /// </summary>
    public static bool RequiresReplacement(JsonObject live, JsonObject desired)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(desired);
        if (ManifestObjects.Kind(desired) != "Deployment" || ManifestObjects.Kind(live) != "Deployment")
        {
            return false;
        }

        return !JsonNode.DeepEquals(Selector(live), Selector(desired));
    }

    // matchExpressions may be absent or empty on either side; only what constrains the selection counts.
    private static JsonObject Selector(JsonObject deployment)
    {
        var selector = new JsonObject();
        if (deployment["spec"]?["selector"]?["matchLabels"] is JsonObject labels && labels.Count > 0)
        {
            selector["matchLabels"] = new JsonObject(labels.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        }

        if (deployment["spec"]?["selector"]?["matchExpressions"] is JsonArray expressions && expressions.Count > 0)
        {
            selector["matchExpressions"] = expressions.DeepClone();
        }

        return selector;
    }

    /// <summary>Metadata labels of every gateway object except the Service: gateway labels + istio.io/rev (or "default").</summary>
    internal static List<KeyValuePair<string, string>> ObjectLabels(ValidatedGateway gateway)
    {
        var labels = GatewayLabels(gateway.Network).ToList();
        labels.Add(new(ManifestLabels.RevisionKey, gateway.Revision ?? "default"));
        if (gateway.MeshId is not null)
        {
            labels.Add(new(ManifestLabels.MeshIdKey, gateway.MeshId));
        }

        return labels;
    }

    internal static JsonObject LabelSelector(ValidatedGateway gateway) =>
        new() { ["matchLabels"] = ManifestObjects.StringMap(GatewayLabels(gateway.Network)) };

    private static JsonObject ServiceAccount(ValidatedGateway gateway) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = ManifestObjects.Metadata(ServiceAccountName, gateway.Namespace, ObjectLabels(gateway)),
    };

    // The gateway reads TLS certificates for Gateway credentialName from Secrets in its namespace (SDS).
    private static JsonObject SdsRole(ValidatedGateway gateway) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "Role",
        ["metadata"] = ManifestObjects.Metadata(SdsRoleName, gateway.Namespace, ObjectLabels(gateway)),
        ["rules"] = new JsonArray(new JsonObject
        {
            ["apiGroups"] = ManifestObjects.Strings([""]),
            ["resources"] = ManifestObjects.Strings(["secrets"]),
            ["verbs"] = ManifestObjects.Strings(["get", "watch", "list"]),
        }),
    };

    private static JsonObject SdsRoleBinding(ValidatedGateway gateway) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "RoleBinding",
        ["metadata"] = ManifestObjects.Metadata(SdsRoleName, gateway.Namespace, ObjectLabels(gateway)),
        ["roleRef"] = new JsonObject
        {
            ["apiGroup"] = "rbac.authorization.k8s.io",
            ["kind"] = "Role",
            ["name"] = SdsRoleName,
        },
        ["subjects"] = new JsonArray(new JsonObject
        {
            ["kind"] = "ServiceAccount",
            ["name"] = ServiceAccountName,
        }),
    };

    private static JsonObject Autoscaler(ValidatedGateway gateway) => new()
    {
        ["apiVersion"] = "autoscaling/v2",
        ["kind"] = "HorizontalPodAutoscaler",
        ["metadata"] = ManifestObjects.Metadata(GatewayName, gateway.Namespace, ObjectLabels(gateway)),
        ["spec"] = new JsonObject
        {
            ["scaleTargetRef"] = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["name"] = GatewayName,
            },
            ["minReplicas"] = gateway.MinReplicas,
            ["maxReplicas"] = gateway.MaxReplicas,
            ["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            }),
        },
    };

    private static JsonObject DisruptionBudget(ValidatedGateway gateway) => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "PodDisruptionBudget",
        ["metadata"] = ManifestObjects.Metadata(GatewayName, gateway.Namespace, ObjectLabels(gateway)),
        ["spec"] = new JsonObject
        {
            ["minAvailable"] = 1,
            ["selector"] = LabelSelector(gateway),
        },
    };
}
