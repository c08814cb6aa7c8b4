using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Manifests.ManifestAssert;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>The istioctl export against gen-eastwest-gateway.sh's output (docs/design/gateway-objects.md).</summary>
public class IstioOperatorRendererTests
{
    // docs/design/gateway-objects.md written out for --network my-proj-default --revision asm-1282-4.
    private const string GeneratorOutput = """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata:
          name: eastwest
        spec:
          revision: "asm-1282-4"
          profile: empty
          components:
            ingressGateways:
              - name: istio-eastwestgateway
                enabled: true
                label:
                  istio: eastwestgateway
                  app: istio-eastwestgateway
                  topology.istio.io/network: my-proj-default
                k8s:
                  env:
                    - name: ISTIO_META_REQUESTED_NETWORK_VIEW
                      value: my-proj-default
                  service:
                    ports:
                      - name: status-port
                        port: 15021
                        targetPort: 15021
                      - name: tls
                        port: 15443
                        targetPort: 15443
                      - name: tls-istiod
                        port: 15012
                        targetPort: 15012
                      - name: tls-webhook
                        port: 15017
                        targetPort: 15017
          values:
            gateways:
              istio-ingressgateway:
                injectionTemplate: gateway
            global:
              network: my-proj-default
        """;

    private static readonly EastWestGatewayOptions Options = new() { Network = "my-proj-default", Revision = "asm-1282-4" };

    [Fact]
    public void Default_options_reproduce_the_generator_output()
    {
        var expected = YamlToJson.ParseDocuments(GeneratorOutput).Single();

        EqualJson(expected, IstioOperatorRenderer.Render(Options));
    }

    [Fact]
    public void Without_revision_the_revision_is_an_empty_string()
    {
        var iop = IstioOperatorRenderer.Render(Options with { Revision = null });

        Assert.Equal("", (string?)iop["spec"]!["revision"]);
    }

    [Fact]
    public void Service_settings_go_where_istioctl_reads_them()
    {
        var iop = IstioOperatorRenderer.Render(Options with
        {
            InternalLoadBalancer = true,
            LoadBalancerIP = "10.1.2.3",
            ExternalIPs = ["192.168.1.9"],
            MinReplicas = 2,
            MaxReplicas = 4,
            IncludePodDisruptionBudget = true,
            ImagePullSecrets = ["mirror"],
        });
        var k8s = iop["spec"]!["components"]!["ingressGateways"]![0]!["k8s"]!;

        Assert.Equal("internal", Map(k8s["serviceAnnotations"])["cloud.google.com/load-balancer-type"]);
        Assert.Equal("10.1.2.3", (string?)k8s["service"]!["loadBalancerIP"]);
        Assert.Equal(["192.168.1.9"], Strings(k8s["service"]!["externalIPs"]));
        Assert.Null(k8s["service"]!["type"]);
        Assert.Equal(2, (int)k8s["hpaSpec"]!["minReplicas"]!);
        Assert.Equal(4, (int)k8s["hpaSpec"]!["maxReplicas"]!);
        Assert.Equal(1, (int)k8s["podDisruptionBudget"]!["minAvailable"]!);
        Assert.Equal(["mirror"], Strings(iop["spec"]!["values"]!["global"]!["imagePullSecrets"]));
        Assert.Equal(4, k8s["service"]!["ports"]!.AsArray().Count);
    }

    [Fact]
    public void Non_default_service_type_and_namespace_are_carried()
    {
        var iop = IstioOperatorRenderer.Render(Options with { ServiceType = GatewayServiceType.NodePort, Namespace = "gw" });
        var component = iop["spec"]!["components"]!["ingressGateways"]![0]!;

        Assert.Equal("NodePort", (string?)component["k8s"]!["service"]!["type"]);
        Assert.Equal("gw", (string?)component["namespace"]);
    }

    [Fact]
    public void Mesh_id_is_not_emitted_like_the_current_generator()
    {
        var iop = IstioOperatorRenderer.Render(Options with { MeshId = "proj-1" });

        Assert.DoesNotContain("proj-1", iop.ToJsonString());
        Assert.Null(iop["spec"]!["values"]!["global"]!["meshID"]);
    }

    [Fact]
    public void Invalid_options_fail_the_same_way_as_the_plain_renderer()
    {
        Assert.Equal("NetworkInvalid", Assert.Throws<MeshException>(() => IstioOperatorRenderer.Render(Options with { Network = "" })).ErrorId);
    }
}
