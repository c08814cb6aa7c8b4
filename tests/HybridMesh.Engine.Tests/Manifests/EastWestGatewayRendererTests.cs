using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using static HybridMesh.Engine.Tests.Manifests.ManifestAssert;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>The plain-Kubernetes east-west gateway against docs/design/gateway-objects.md</summary>
public class EastWestGatewayRendererTests
{
    private static readonly EastWestGatewayOptions Revisioned = new() { Network = "my-proj-default", Revision = "asm-1282-4" };

    private static readonly Dictionary<string, string> GatewayLabels = new()
    {
        ["istio"] = "eastwestgateway",
        ["app"] = "istio-eastwestgateway",
        ["topology.istio.io/network"] = "my-proj-default",
    };

    [Fact]
    public void Renders_the_istioctl_object_set_in_apply_order()
    {
        var objects = EastWestGatewayRenderer.Render(Revisioned);

        Assert.Equal(
            ["ServiceAccount istio-system/istio-eastwestgateway-service-account",
             "Role istio-system/istio-eastwestgateway-sds",
             "RoleBinding istio-system/istio-eastwestgateway-sds",
             "Deployment istio-system/istio-eastwestgateway",
             "Service istio-system/istio-eastwestgateway",
             "HorizontalPodAutoscaler istio-system/istio-eastwestgateway"],
            objects.Select(ManifestObjects.Describe));
        Assert.Equal(["v1", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1", "apps/v1", "v1", "autoscaling/v2"],
            objects.Select(ManifestObjects.ApiVersion));
    }

    [Fact]
    public void Every_object_carries_the_managed_by_label()
    {
        var options = Revisioned with { IncludePodDisruptionBudget = true };
        foreach (var obj in EastWestGatewayRenderer.Render(options))
        {
            Assert.Equal("hybridmesh", Map(obj["metadata"]!["labels"])["app.kubernetes.io/managed-by"]);
        }
    }

    [Fact]
    public void Deployment_selector_is_exactly_the_three_gateway_labels()
    {
        var deployment = Single(EastWestGatewayRenderer.Render(Revisioned), "Deployment");

        Assert.Equal(GatewayLabels, Map(deployment["spec"]!["selector"]!["matchLabels"]));
    }

    [Fact]
    public void Pod_template_asks_for_gateway_injection_from_the_revision_webhook()
    {
        var template = Single(EastWestGatewayRenderer.Render(Revisioned), "Deployment")["spec"]!["template"]!;
        var podLabels = Map(template["metadata"]!["labels"]);

        Assert.Equal("gateway", Map(template["metadata"]!["annotations"])["inject.istio.io/templates"]);
        Assert.Equal("asm-1282-4", podLabels["istio.io/rev"]);
        Assert.Equal("true", podLabels["sidecar.istio.io/inject"]);
        foreach (var (key, value) in GatewayLabels)
        {
            Assert.Equal(value, podLabels[key]);
        }
    }

    [Fact]
    public void Deployment_metadata_carries_the_revision_or_default()
    {
        var revisioned = Single(EastWestGatewayRenderer.Render(Revisioned), "Deployment");
        var plain = Single(EastWestGatewayRenderer.Render(Revisioned with { Revision = null }), "Deployment");

        Assert.Equal("asm-1282-4", Map(revisioned["metadata"]!["labels"])["istio.io/rev"]);
        Assert.Equal("default", Map(plain["metadata"]!["labels"])["istio.io/rev"]);
    }

    [Fact]
    public void Without_revision_the_pod_has_no_rev_label_and_relies_on_inject_true()
    {
        var template = Single(EastWestGatewayRenderer.Render(Revisioned with { Revision = "" }), "Deployment")["spec"]!["template"]!;
        var podLabels = Map(template["metadata"]!["labels"]);

        Assert.False(podLabels.ContainsKey("istio.io/rev"));
        Assert.Equal("true", podLabels["sidecar.istio.io/inject"]);
    }

    [Fact]
    public void Proxy_container_matches_the_injected_deployment_chart()
    {
        var deployment = Single(EastWestGatewayRenderer.Render(Revisioned), "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Assert.Single(pod["containers"]!.AsArray())!;

        Assert.Equal("istio-proxy", (string?)container["name"]);
        Assert.Equal("auto", (string?)container["image"]);
        Assert.Equal("istio-eastwestgateway-service-account", (string?)pod["serviceAccountName"]);

        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);
        Assert.Equal("my-proj-default", env["ISTIO_META_REQUESTED_NETWORK_VIEW"]);
        Assert.Equal("true", env["ISTIO_META_UNPRIVILEGED_POD"]);

        var ports = container["ports"]!.AsArray();
        Assert.Equal([15021, 15443, 15012, 15017, 15090], ports.Select(p => (int)p!["containerPort"]!));
        Assert.All(ports, p => Assert.Equal("TCP", (string?)p!["protocol"]));
        Assert.Equal("http-envoy-prom", (string?)ports.Single(p => (int)p!["containerPort"]! == 15090)!["name"]);

        var security = container["securityContext"]!;
        Assert.False((bool)security["allowPrivilegeEscalation"]!);
        Assert.False((bool)security["privileged"]!);
        Assert.True((bool)security["readOnlyRootFilesystem"]!);
        Assert.Equal(["ALL"], Strings(security["capabilities"]!["drop"]));

        Assert.Equal("100m", (string?)container["resources"]!["requests"]!["cpu"]);
        Assert.Equal("128Mi", (string?)container["resources"]!["requests"]!["memory"]);
        Assert.Equal("2000m", (string?)container["resources"]!["limits"]!["cpu"]);
        Assert.Equal("1024Mi", (string?)container["resources"]!["limits"]!["memory"]);

        Assert.Equal(1337, (int)pod["securityContext"]!["runAsUser"]!);
        Assert.Equal(1337, (int)pod["securityContext"]!["runAsGroup"]!);
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
    }

    [Fact]
    public void Deployment_rolls_100_25_and_leaves_replicas_to_the_autoscaler()
    {
        var spec = Single(EastWestGatewayRenderer.Render(Revisioned), "Deployment")["spec"]!;

        Assert.Equal("100%", (string?)spec["strategy"]!["rollingUpdate"]!["maxSurge"]);
        Assert.Equal("25%", (string?)spec["strategy"]!["rollingUpdate"]!["maxUnavailable"]);
        Assert.Null(spec["replicas"]);
    }

    [Fact]
    public void Service_is_the_network_gateway_and_selects_the_pods()
    {
        var objects = EastWestGatewayRenderer.Render(Revisioned);
        var service = Single(objects, "Service");
        var podLabels = Map(Single(objects, "Deployment")["spec"]!["template"]!["metadata"]!["labels"]);

        Assert.Equal("LoadBalancer", (string?)service["spec"]!["type"]);
        var serviceLabels = Map(service["metadata"]!["labels"]);
        Assert.Equal("my-proj-default", serviceLabels["topology.istio.io/network"]);
        Assert.Equal(GatewayLabels, Map(service["spec"]!["selector"]));
        Assert.All(Map(service["spec"]!["selector"]), s => Assert.Equal(s.Value, podLabels[s.Key]));

        var ports = service["spec"]!["ports"]!.AsArray()
            .Select(p => ((string)p!["name"]!, (int)p["port"]!, (int)p["targetPort"]!)).ToArray();
        Assert.Equal(
            [("status-port", 15021, 15021), ("tls", 15443, 15443), ("tls-istiod", 15012, 15012), ("tls-webhook", 15017, 15017)],
            ports);
        Assert.Null(service["metadata"]!["annotations"]);
        Assert.Null(service["spec"]!["loadBalancerIP"]);
        Assert.Null(service["spec"]!["externalIPs"]);
    }

    [Fact]
    public void Sds_role_reads_secrets_and_is_bound_to_the_gateway_account()
    {
        var objects = EastWestGatewayRenderer.Render(Revisioned);
        var role = Single(objects, "Role");
        var binding = Single(objects, "RoleBinding");
        var account = Single(objects, "ServiceAccount");

        var rule = Assert.Single(role["rules"]!.AsArray())!;
        Assert.Equal([""], Strings(rule["apiGroups"]));
        Assert.Equal(["secrets"], Strings(rule["resources"]));
        Assert.Equal(["get", "watch", "list"], Strings(rule["verbs"]));
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal(ManifestObjects.Name(role), (string?)binding["roleRef"]!["name"]);
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal(ManifestObjects.Name(account), (string?)subject["name"]);

        var accountLabels = Map(account["metadata"]!["labels"]);
        Assert.Equal("asm-1282-4", accountLabels["istio.io/rev"]);
        Assert.Equal("my-proj-default", accountLabels["topology.istio.io/network"]);
    }

    [Fact]
    public void Internal_load_balancer_and_extra_annotations_land_on_the_service()
    {
        var options = Revisioned with
        {
            InternalLoadBalancer = true,
            ServiceAnnotations = new Dictionary<string, string> { ["metallb.universe.tf/address-pool"] = "mesh" },
        };
        var annotations = Map(Single(EastWestGatewayRenderer.Render(options), "Service")["metadata"]!["annotations"]);

        Assert.Equal("internal", annotations["cloud.google.com/load-balancer-type"]);
        Assert.Equal("mesh", annotations["metallb.universe.tf/address-pool"]);
    }

    [Fact]
    public void Contradicting_the_internal_load_balancer_annotation_is_refused()
    {
        var options = Revisioned with
        {
            InternalLoadBalancer = true,
            ServiceAnnotations = new Dictionary<string, string> { ["cloud.google.com/load-balancer-type"] = "External" },
        };

        var error = Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(options));
        Assert.Equal("AnnotationInvalid", error.ErrorId);
    }

    [Theory]
    [InlineData("bad key")]
    [InlineData("UPPER_/x")]
    [InlineData("/x")]
    public void Invalid_annotation_keys_are_refused(string key)
    {
        var options = Revisioned with { ServiceAnnotations = new Dictionary<string, string> { [key] = "v" } };

        Assert.Equal("AnnotationInvalid", Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(options)).ErrorId);
    }

    [Fact]
    public void Load_balancer_ip_and_external_ips_are_set_on_the_service()
    {
        var options = Revisioned with { LoadBalancerIP = "10.200.0.51", ExternalIPs = ["192.168.10.7", "fd00::7"] };
        var spec = Single(EastWestGatewayRenderer.Render(options), "Service")["spec"]!;

        Assert.Equal("10.200.0.51", (string?)spec["loadBalancerIP"]);
        Assert.Equal(["192.168.10.7", "fd00::7"], Strings(spec["externalIPs"]));
    }

    [Fact]
    public void External_ips_work_with_a_node_port_service()
    {
        var options = Revisioned with { ServiceType = GatewayServiceType.NodePort, ExternalIPs = ["192.168.10.7"] };
        var spec = Single(EastWestGatewayRenderer.Render(options), "Service")["spec"]!;

        Assert.Equal("NodePort", (string?)spec["type"]);
        Assert.Equal(["192.168.10.7"], Strings(spec["externalIPs"]));
    }

    [Theory]
    [InlineData("10.1")]
    [InlineData("gateway.example.com")]
    [InlineData("10.0.0.1:443")]
    [InlineData("10.0.0.0/24")]
    public void Addresses_that_are_not_literal_ips_are_refused(string address)
    {
        var lb = Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(Revisioned with { LoadBalancerIP = address }));
        var ext = Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(Revisioned with { ExternalIPs = [address] }));

        Assert.Equal("IpAddressInvalid", lb.ErrorId);
        Assert.Equal("IpAddressInvalid", ext.ErrorId);
        Assert.Contains("ExternalIPs", ext.Message);
    }

    [Fact]
    public void Load_balancer_settings_on_a_cluster_ip_service_are_refused()
    {
        var withIp = Revisioned with { ServiceType = GatewayServiceType.ClusterIP, LoadBalancerIP = "10.0.0.1" };
        var internalLb = Revisioned with { ServiceType = GatewayServiceType.NodePort, InternalLoadBalancer = true };

        Assert.Equal("ServiceTypeConflict", Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(withIp)).ErrorId);
        Assert.Equal("ServiceTypeConflict", Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(internalLb)).ErrorId);
    }

    [Fact]
    public void Pod_disruption_budget_is_optional_and_keeps_one_gateway_up()
    {
        Assert.DoesNotContain(EastWestGatewayRenderer.Render(Revisioned), o => ManifestObjects.Kind(o) == "PodDisruptionBudget");

        var objects = EastWestGatewayRenderer.Render(Revisioned with { IncludePodDisruptionBudget = true });
        var pdb = objects[^1];
        Assert.Equal("PodDisruptionBudget", ManifestObjects.Kind(pdb));
        Assert.Equal("policy/v1", ManifestObjects.ApiVersion(pdb));
        Assert.Equal(1, (int)pdb["spec"]!["minAvailable"]!);
        Assert.Equal(GatewayLabels, Map(pdb["spec"]!["selector"]!["matchLabels"]));
    }

    [Fact]
    public void Autoscaler_defaults_to_one_to_five_at_80_percent_cpu()
    {
        var hpa = Single(EastWestGatewayRenderer.Render(Revisioned), "HorizontalPodAutoscaler")["spec"]!;

        Assert.Equal(1, (int)hpa["minReplicas"]!);
        Assert.Equal(5, (int)hpa["maxReplicas"]!);
        Assert.Equal("Deployment", (string?)hpa["scaleTargetRef"]!["kind"]);
        Assert.Equal("istio-eastwestgateway", (string?)hpa["scaleTargetRef"]!["name"]);
        var metric = Assert.Single(hpa["metrics"]!.AsArray())!;
        Assert.Equal("cpu", (string?)metric["resource"]!["name"]);
        Assert.Equal(80, (int)metric["resource"]!["target"]!["averageUtilization"]!);
    }

    [Fact]
    public void Autoscaler_bounds_follow_the_options()
    {
        var hpa = Single(EastWestGatewayRenderer.Render(Revisioned with { MinReplicas = 2, MaxReplicas = 2 }),
            "HorizontalPodAutoscaler")["spec"]!;

        Assert.Equal(2, (int)hpa["minReplicas"]!);
        Assert.Equal(2, (int)hpa["maxReplicas"]!);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(3, 2)]
    [InlineData(-1, -1)]
    public void Impossible_autoscaler_bounds_are_refused(int min, int max)
    {
        var error = Assert.Throws<MeshException>(() =>
            EastWestGatewayRenderer.Render(Revisioned with { MinReplicas = min, MaxReplicas = max }));

        Assert.Equal("ReplicaBoundsInvalid", error.ErrorId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my network")]
    [InlineData("-leading")]
    [InlineData("trailing.")]
    [InlineData("net/work")]
    public void Invalid_networks_are_refused_with_the_way_to_find_the_right_one(string network)
    {
        var error = Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(Revisioned with { Network = network }));

        Assert.Equal("NetworkInvalid", error.ErrorId);
        Assert.Equal(MeshErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("topology.istio.io/network", error.RecommendedAction);
    }

    [Fact]
    public void Network_length_limit_is_63()
    {
        EastWestGatewayRenderer.Render(Revisioned with { Network = new string('n', 63) });

        var error = Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(Revisioned with { Network = new string('n', 64) }));
        Assert.Equal("NetworkInvalid", error.ErrorId);
    }

    [Theory]
    [InlineData("ASM-1282-4")]
    [InlineData("asm_1282")]
    [InlineData("-asm")]
    [InlineData("asm.1282")]
    public void Revisions_must_be_dns_labels(string revision)
    {
        var error = Assert.Throws<MeshException>(() => EastWestGatewayRenderer.Render(Revisioned with { Revision = revision }));

        Assert.Equal("RevisionInvalid", error.ErrorId);
        Assert.Contains("asm-1282-4", error.RecommendedAction);
    }

    [Fact]
    public void Other_namespace_is_used_for_every_object()
    {
        var objects = EastWestGatewayRenderer.Render(Revisioned with { Namespace = "istio-gateways" });

        Assert.All(objects, o => Assert.Equal("istio-gateways", ManifestObjects.Namespace(o)));
        Assert.Equal("NamespaceInvalid", Assert.Throws<MeshException>(() =>
            EastWestGatewayRenderer.Render(Revisioned with { Namespace = "Istio_System" })).ErrorId);
    }

    [Fact]
    public void Image_pull_secrets_reach_the_pod()
    {
        var pod = Single(EastWestGatewayRenderer.Render(Revisioned with { ImagePullSecrets = ["mirror-creds"] }),
            "Deployment")["spec"]!["template"]!["spec"]!;

        Assert.Equal("mirror-creds", (string?)Assert.Single(pod["imagePullSecrets"]!.AsArray())!["name"]);
        Assert.Equal("ImagePullSecretInvalid", Assert.Throws<MeshException>(() =>
            EastWestGatewayRenderer.Render(Revisioned with { ImagePullSecrets = ["Bad Name"] })).ErrorId);
    }

    [Fact]
    public void Mesh_id_is_a_label_and_never_touches_selectors_or_env()
    {
        var objects = EastWestGatewayRenderer.Render(Revisioned with { MeshId = "proj-123456789012" });
        var deployment = Single(objects, "Deployment");
        var service = Single(objects, "Service");

        Assert.Equal("proj-123456789012", Map(deployment["metadata"]!["labels"])["hybridmesh.io/mesh-id"]);
        Assert.Equal("proj-123456789012", Map(service["metadata"]!["labels"])["hybridmesh.io/mesh-id"]);
        Assert.Equal(GatewayLabels, Map(deployment["spec"]!["selector"]!["matchLabels"]));
        Assert.Equal(GatewayLabels, Map(service["spec"]!["selector"]));
        Assert.DoesNotContain("proj-123456789012", deployment["spec"]!["template"]!.ToJsonString());
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        var first = ManifestYaml.Serialize(EastWestGatewayRenderer.Render(Revisioned with { IncludePodDisruptionBudget = true }));
        var second = ManifestYaml.Serialize(EastWestGatewayRenderer.Render(Revisioned with { IncludePodDisruptionBudget = true }));

        Assert.Equal(first, second);
    }
}

/// <summary>Deployment selectors are immutable; a network change must be detected before applying.</summary>
public class EastWestGatewayReplacementTests
{
    private static JsonObject Deployment(string network) =>
        EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = network })[3];

    [Fact]
    public void Same_network_updates_in_place_even_after_the_server_reorders_labels()
    {
        var live = Deployment("net-a");
        var labels = live["spec"]!["selector"]!["matchLabels"]!.AsObject();
        var reordered = new JsonObject(labels.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        live["spec"]!["selector"] = new JsonObject { ["matchLabels"] = reordered, ["matchExpressions"] = new JsonArray() };

        Assert.False(EastWestGatewayRenderer.RequiresReplacement(live, Deployment("net-a")));
    }

    [Fact]
    public void Network_change_requires_recreating_the_deployment()
    {
        Assert.True(EastWestGatewayRenderer.RequiresReplacement(Deployment("net-a"), Deployment("net-b")));
    }

    [Fact]
    public void Revision_change_does_not()
    {
        var live = EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = "n", Revision = "asm-1281-1" })[3];
        var desired = EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = "n", Revision = "asm-1282-4" })[3];

        Assert.False(EastWestGatewayRenderer.RequiresReplacement(live, desired));
    }

    [Fact]
    public void Only_deployments_are_concerned()
    {
        var service = EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = "n" })[4];

        Assert.False(EastWestGatewayRenderer.RequiresReplacement(service, service));
    }
}
