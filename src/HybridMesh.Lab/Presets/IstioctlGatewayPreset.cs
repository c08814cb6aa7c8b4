using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Presets;

/// <summary>
/// What `gen-eastwest-gateway.sh --network NET --revision REV | istioctl install -y -f -` leaves in istio-system
/// (docs/design/gateway-objects.md): ServiceAccount, SDS Role and RoleBinding, Deployment, Service and HPA (no PDB since
/// Istio 1.28), all named istio-eastwestgateway*, with istioctl's labels (operator component and owning resource, no
/// app.kubernetes.io/managed-by=hybridmesh) and applied by field manager istio-operator. Tests use it to check that
/// the module does not take such a gateway over without -Force.
/// </summary>
internal static class IstioctlGatewayPreset
{
    public const string Name = "istioctl-eastwestgateway";
    private const string Manager = "istio-operator";
    private const string Ns = "istio-system";
    private const string Gateway = "istio-eastwestgateway";
    private const string ServiceAccount = "istio-eastwestgateway-service-account";

    public static IReadOnlyList<JsonObject> Apply(Seeder seeder, string network, string? revision)
    {
        var objects = Render(network, revision);
        return objects.Select(o => seeder.Apply(o, Manager)).ToArray();
    }

    private static JsonObject GatewayLabels(string network) => new()
    {
        ["istio"] = "eastwestgateway", ["app"] = Gateway, ["topology.istio.io/network"] = network,
    };

    private static JsonObject Labels(string network, string? revision)
    {
        var labels = GatewayLabels(network);
        labels["install.operator.istio.io/owning-resource"] = "unknown";
        labels["operator.istio.io/component"] = "IngressGateways";
        labels["release"] = "istio";
        labels["istio.io/rev"] = revision ?? "default";
        return labels;
    }

    private static JsonObject Meta(string name, string network, string? revision) => new()
    {
        ["name"] = name, ["namespace"] = Ns, ["labels"] = Labels(network, revision),
    };

    private static IReadOnlyList<JsonObject> Render(string network, string? revision)
    {
        var podLabels = Labels(network, revision);
        podLabels["sidecar.istio.io/inject"] = "true";
        if (revision is null) podLabels.Remove("istio.io/rev");
        var sds = Gateway + "-sds";
        return
        [
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = Meta(ServiceAccount, network, revision) },
            new JsonObject
            {
                ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "Role", ["metadata"] = Meta(sds, network, revision),
                ["rules"] = new JsonArray(BootstrapPreset.Rule(["get", "watch", "list"], [""], ["secrets"])),
            },
            new JsonObject
            {
                ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "RoleBinding", ["metadata"] = Meta(sds, network, revision),
                ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Role", ["name"] = sds },
                ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = ServiceAccount }),
            },
            new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["metadata"] = Meta(Gateway, network, revision),
                ["spec"] = new JsonObject
                {
                    ["selector"] = new JsonObject { ["matchLabels"] = GatewayLabels(network) },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject
                        {
                            ["labels"] = podLabels,
                            ["annotations"] = new JsonObject { ["inject.istio.io/templates"] = "gateway" },
                        },
                        ["spec"] = new JsonObject
                        {
                            ["serviceAccountName"] = ServiceAccount,
                            ["containers"] = new JsonArray(new JsonObject
                            {
                                ["name"] = "istio-proxy", ["image"] = "auto",
                                ["env"] = new JsonArray(new JsonObject
                                {
                                    ["name"] = "ISTIO_META_REQUESTED_NETWORK_VIEW", ["value"] = network,
                                }),
                            }),
                        },
                    },
                },
            },
            new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service", ["metadata"] = Meta(Gateway, network, revision),
                ["spec"] = new JsonObject
                {
                    ["type"] = "LoadBalancer",
                    ["selector"] = GatewayLabels(network),
                    ["ports"] = new JsonArray(
                        Port("status-port", 15021), Port("tls", 15443), Port("tls-istiod", 15012), Port("tls-webhook", 15017)),
                },
            },
            new JsonObject
            {
                ["apiVersion"] = "autoscaling/v2", ["kind"] = "HorizontalPodAutoscaler", ["metadata"] = Meta(Gateway, network, revision),
                ["spec"] = new JsonObject
                {
                    ["minReplicas"] = 1, ["maxReplicas"] = 5,
                    ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = Gateway },
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
            },
        ];
    }

    private static JsonObject Port(string name, int port) => new()
    {
        ["name"] = name, ["port"] = port, ["protocol"] = "TCP", ["targetPort"] = port,
    };
}
