using System.Text.Json.Nodes;
using HybridMesh.Models;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// The gateway Service. Its labels carry topology.istio.io/network, which is how istiod finds the network's gateway;
/// its external address becomes the cross-network endpoint other clusters dial on port 15443 (docs/design/gateway-objects.md).
/// </summary>
internal static class EastWestGatewayService
{
    public static JsonObject Render(ValidatedGateway gateway)
    {
        var labels = EastWestGatewayRenderer.GatewayLabels(gateway.Network).ToList();
        if (gateway.MeshId is not null)
        {
            labels.Add(new(ManifestLabels.MeshIdKey, gateway.MeshId));
        }

        var ports = new JsonArray();
        foreach (var (name, port) in EastWestGatewayRenderer.ServicePorts)
        {
            ports.Add(new JsonObject
            {
                ["name"] = name,
                ["port"] = port,
                ["protocol"] = "TCP",
                ["targetPort"] = port,
            });
        }

        var spec = new JsonObject
        {
            ["type"] = gateway.ServiceType switch
            {
                GatewayServiceType.NodePort => "NodePort",
                GatewayServiceType.ClusterIP => "ClusterIP",
                _ => "LoadBalancer",
            },
            ["selector"] = ManifestObjects.StringMap(EastWestGatewayRenderer.GatewayLabels(gateway.Network)),
            ["ports"] = ports,
        };
        if (gateway.LoadBalancerIp is not null)
        {
            spec["loadBalancerIP"] = gateway.LoadBalancerIp;
        }

        if (gateway.ExternalIps.Count > 0)
        {
            spec["externalIPs"] = ManifestObjects.Strings(gateway.ExternalIps);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = ManifestObjects.Metadata(EastWestGatewayRenderer.GatewayName, gateway.Namespace, labels,
                gateway.ServiceAnnotations),
            ["spec"] = spec,
        };
    }
}
