using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// The gateway Deployment as Istio's injected-deployment template renders it (docs/design/gateway-objects.md): a placeholder container
/// istio-proxy with image "auto" that the revision's injection webhook turns into the real proxy.
/// </summary>
internal static class EastWestGatewayDeployment
{
    public static JsonObject Render(ValidatedGateway gateway)
    {
        var podLabels = EastWestGatewayRenderer.GatewayLabels(gateway.Network).ToList();
        podLabels.Add(new("sidecar.istio.io/inject", "true"));
        if (gateway.Revision is not null)
        {
            // Selects the revision's webhook. Without it, sidecar.istio.io/inject=true matches only the default
            // (unrevisioned or "default"-tagged) webhook; a revisioned-only control plane would leave the pod on the
            // unpullable "auto" image.
            podLabels.Add(new(ManifestLabels.RevisionKey, gateway.Revision));
        }

        var podSpec = new JsonObject
        {
            ["serviceAccountName"] = EastWestGatewayRenderer.ServiceAccountName,
            ["securityContext"] = new JsonObject
            {
                ["runAsUser"] = 1337,
                ["runAsGroup"] = 1337,
                ["runAsNonRoot"] = true,
            },
        };
        if (gateway.ImagePullSecrets.Count > 0)
        {
            podSpec["imagePullSecrets"] = new JsonArray(gateway.ImagePullSecrets
                .Select(name => (JsonNode?)new JsonObject { ["name"] = name }).ToArray());
        }

        podSpec["containers"] = new JsonArray(Container(gateway));

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = ManifestObjects.Metadata(EastWestGatewayRenderer.GatewayName, gateway.Namespace,
                EastWestGatewayRenderer.ObjectLabels(gateway)),
            ["spec"] = new JsonObject
            {
                // No "replicas": the HorizontalPodAutoscaler owns it. Applying a fixed count would reset the scale on
                // every run and make server-side apply fight the autoscaler over the field.
                ["selector"] = EastWestGatewayRenderer.LabelSelector(gateway),
                ["strategy"] = new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxSurge"] = "100%", ["maxUnavailable"] = "25%" },
                },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject { ["inject.istio.io/templates"] = "gateway" },
                        ["labels"] = ManifestObjects.StringMap(podLabels),
                    },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    private static JsonObject Container(ValidatedGateway gateway)
    {
        // Container ports mirror the chart: the four Service target ports unnamed, plus Envoy's Prometheus port.
        var ports = new JsonArray();
        foreach (var (_, port) in EastWestGatewayRenderer.ServicePorts)
        {
            ports.Add(new JsonObject { ["containerPort"] = port, ["protocol"] = "TCP" });
        }

        ports.Add(new JsonObject
        {
            ["containerPort"] = EastWestGatewayRenderer.EnvoyPrometheusPort,
            ["protocol"] = "TCP",
            ["name"] = "http-envoy-prom",
        });

        return new JsonObject
        {
            ["name"] = "istio-proxy",
            ["image"] = "auto",
            ["ports"] = ports,
            ["env"] = new JsonArray(
                // Which networks this gateway routes to: its own, so traffic from other networks lands on local pods.
                new JsonObject { ["name"] = "ISTIO_META_REQUESTED_NETWORK_VIEW", ["value"] = gateway.Network },
                new JsonObject { ["name"] = "ISTIO_META_UNPRIVILEGED_POD", ["value"] = "true" }),
            ["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["capabilities"] = new JsonObject { ["drop"] = ManifestObjects.Strings(["ALL"]) },
                ["privileged"] = false,
                ["readOnlyRootFilesystem"] = true,
            },
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" },
                ["limits"] = new JsonObject { ["cpu"] = "2000m", ["memory"] = "1024Mi" },
            },
        };
    }
}
