using System.Text.Json.Nodes;
using HybridMesh.Models;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// For users who keep istioctl: the IstioOperator that `gen-eastwest-gateway.sh --network NET --revision REV` emits
/// (docs/design/gateway-objects.md), extended only by the options the generator has no flag for (Service type, annotations,
/// loadBalancerIP, externalIPs, autoscaler bounds, PDB, pull secrets). With default options the document is the
/// generator's, field for field. `istioctl install -f` on it yields the objects EastWestGatewayRenderer renders.
/// </summary>
internal static class IstioOperatorRenderer
{
    public const string OperatorName = "eastwest";

    public static JsonObject Render(EastWestGatewayOptions options)
    {
        var gateway = EastWestGatewayValidation.Validate(options);

        var ports = new JsonArray();
        foreach (var (name, port) in EastWestGatewayRenderer.ServicePorts)
        {
            ports.Add(new JsonObject { ["name"] = name, ["port"] = port, ["targetPort"] = port });
        }

        var service = new JsonObject();
        if (gateway.ServiceType != GatewayServiceType.LoadBalancer)
        {
            service["type"] = gateway.ServiceType.ToString();
        }

        if (gateway.LoadBalancerIp is not null)
        {
            service["loadBalancerIP"] = gateway.LoadBalancerIp;
        }

        if (gateway.ExternalIps.Count > 0)
        {
            service["externalIPs"] = ManifestObjects.Strings(gateway.ExternalIps);
        }

        service["ports"] = ports;

        var k8s = new JsonObject
        {
            ["env"] = new JsonArray(new JsonObject
            {
                ["name"] = "ISTIO_META_REQUESTED_NETWORK_VIEW",
                ["value"] = gateway.Network,
            }),
        };
        if (gateway.ServiceAnnotations.Count > 0)
        {
            k8s["serviceAnnotations"] = ManifestObjects.StringMap(gateway.ServiceAnnotations);
        }

        // Only when they differ from the chart defaults (1..5), so default options keep the generator's exact output.
        if (gateway.MinReplicas != 1 || gateway.MaxReplicas != 5)
        {
            k8s["hpaSpec"] = new JsonObject
            {
                ["minReplicas"] = gateway.MinReplicas,
                ["maxReplicas"] = gateway.MaxReplicas,
            };
        }

        if (gateway.IncludePodDisruptionBudget)
        {
            k8s["podDisruptionBudget"] = new JsonObject { ["minAvailable"] = 1 };
        }

        k8s["service"] = service;

        var component = new JsonObject { ["name"] = EastWestGatewayRenderer.GatewayName };
        if (gateway.Namespace != IstioNames.SystemNamespace)
        {
            component["namespace"] = gateway.Namespace;
        }

        component["enabled"] = true;
        component["label"] = ManifestObjects.StringMap(EastWestGatewayRenderer.GatewayLabels(gateway.Network));
        component["k8s"] = k8s;

        var global = new JsonObject { ["network"] = gateway.Network };
        if (gateway.ImagePullSecrets.Count > 0)
        {
            global["imagePullSecrets"] = ManifestObjects.Strings(gateway.ImagePullSecrets);
        }

        return new JsonObject
        {
            ["apiVersion"] = "install.istio.io/v1alpha1",
            ["kind"] = "IstioOperator",
            // No managed-by label: this document is input for istioctl, never applied to a cluster by the module.
            ["metadata"] = new JsonObject { ["name"] = OperatorName },
            ["spec"] = new JsonObject
            {
                ["revision"] = gateway.Revision ?? "",
                ["profile"] = "empty",
                ["components"] = new JsonObject { ["ingressGateways"] = new JsonArray(component) },
                ["values"] = new JsonObject
                {
                    ["gateways"] = new JsonObject
                    {
                        ["istio-ingressgateway"] = new JsonObject { ["injectionTemplate"] = "gateway" },
                    },
                    ["global"] = global,
                },
            },
        };
    }
}
