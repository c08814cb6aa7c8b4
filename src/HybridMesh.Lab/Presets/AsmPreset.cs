using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;

namespace HybridMesh.Lab.Presets;

/// <summary>What the preset for one cluster should leave behind.</summary>
internal sealed record AsmPresetSpec(
    string ClusterId, string? Network, IReadOnlyList<string> Revisions, CertificateAuthority MeshRoot, bool CaCertsSecret,
    bool ServeGatewayV1, string? MembershipOwnerId, string? MembershipName, string TrustDomain = "cluster.local");

/// <summary>
/// What an in-cluster ASM control plane leaves (docs/design/remote-secrets.md, transcripts preamble): istio-system, the
/// Gateway CRD, istiod-&lt;rev&gt; Deployments with REVISION and CLUSTER_ID, the reader ServiceAccount and its
/// revisioned ClusterRole/Binding, istio-ca-root-cert, optionally cacerts, and the hub Membership.
/// </summary>
internal static class AsmPreset
{
    private static readonly string[] IstioGroups =
    [
        "config.istio.io", "security.istio.io", "networking.istio.io", "authentication.istio.io", "rbac.istio.io",
        "telemetry.istio.io", "extensions.istio.io",
    ];

    public static void Apply(Seeder seeder, AsmPresetSpec spec)
    {
        seeder.Apply(CrdPresets.IstioGateway(spec.ServeGatewayV1), "istio-operator");
        var nsMeta = new JsonObject { ["name"] = "istio-system" };
        if (spec.Network is not null) nsMeta["labels"] = new JsonObject { ["topology.istio.io/network"] = spec.Network };
        seeder.Apply(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = nsMeta }, "kubectl");

        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = "istio-ca-root-cert", ["namespace"] = "istio-system",
                ["labels"] = new JsonObject { ["istio.io/config"] = "true" },
            },
            ["data"] = new JsonObject { ["root-cert.pem"] = spec.MeshRoot.Root.CertificatePem },
        }, "pilot-discovery");

        if (spec.CaCertsSecret)
        {
            using var intermediate = new CertificateAuthority($"istiod-{spec.ClusterId}", spec.MeshRoot.Root);
            seeder.Apply(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = "cacerts", ["namespace"] = "istio-system" },
                ["type"] = "Opaque",
                ["stringData"] = new JsonObject
                {
                    ["ca-cert.pem"] = intermediate.CertificatePem, ["ca-key.pem"] = intermediate.PrivateKeyPem,
                    ["root-cert.pem"] = spec.MeshRoot.Root.CertificatePem, ["cert-chain.pem"] = intermediate.ChainPem,
                },
            }, "kubectl");
        }

        if (spec.Revisions.Count > 0)
            seeder.Apply(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "ServiceAccount",
                ["metadata"] = new JsonObject
                {
                    ["name"] = "istio-reader-service-account", ["namespace"] = "istio-system",
                    ["labels"] = new JsonObject { ["app"] = "istio-reader", ["release"] = "istio" },
                },
            }, "istio-operator");

        foreach (var rev in spec.Revisions)
        {
            ReaderRbac(seeder, rev);
            Istiod(seeder, rev, spec.ClusterId);
            MeshConfig(seeder, rev, spec.TrustDomain);
        }

        if (spec.MembershipOwnerId is not null)
        {
            seeder.Apply(CrdPresets.HubMembership(), "gke-connect-agent");
            seeder.Apply(new JsonObject
            {
                ["apiVersion"] = "hub.gke.io/v1", ["kind"] = "Membership",
                ["metadata"] = new JsonObject { ["name"] = "membership" },
                ["spec"] = new JsonObject
                {
                    ["identity_provider"] = "https://gkehub.googleapis.com/" + spec.MembershipOwnerId,
                    ["owner"] = new JsonObject { ["id"] = spec.MembershipOwnerId },
                    ["workload_identity_pool"] = spec.MembershipOwnerId.Split('/')[4] + ".svc.id.goog",
                },
            }, "gke-connect-agent");
        }
    }

    /// <summary>
    /// istiod's mesh config, ConfigMap istio-&lt;rev&gt; with data.mesh: ASM sets trustDomain to &lt;fleet&gt;.svc.id.goog
    /// (docs/design/prerequisites.md reads trustDomain and trustDomainAliases from it).
    /// </summary>
    private static void MeshConfig(Seeder seeder, string rev, string trustDomain) =>
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"istio-{rev}", ["namespace"] = "istio-system",
                ["labels"] = new JsonObject { ["istio.io/rev"] = rev, ["release"] = "istio" },
            },
            ["data"] = new JsonObject
            {
                ["mesh"] = $"defaultConfig:\n  discoveryAddress: istiod-{rev}.istio-system.svc:15012\ntrustDomain: {trustDomain}\n",
            },
        }, "istio-operator");

    private static void ReaderRbac(Seeder seeder, string rev)
    {
        var name = $"istio-reader-clusterrole-{rev}-istio-system";
        var labels = new JsonObject { ["app"] = "istio-reader", ["release"] = "istio", ["istio.io/rev"] = rev };
        var get = new[] { "get", "list", "watch" };
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRole",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels.DeepClone() },
            ["rules"] = new JsonArray(
                BootstrapPreset.Rule(get, IstioGroups, ["*"]),
                BootstrapPreset.Rule(get, [""], ["endpoints", "pods", "services", "nodes", "replicationcontrollers", "namespaces", "secrets", "configmaps"]),
                BootstrapPreset.Rule(get, ["networking.x-k8s.io", "gateway.networking.k8s.io"], ["gateways"]),
                BootstrapPreset.Rule(get, ["apiextensions.k8s.io"], ["customresourcedefinitions"]),
                BootstrapPreset.Rule(get, ["discovery.k8s.io"], ["endpointslices"]),
                BootstrapPreset.Rule(get, ["apps"], ["replicasets"]),
                BootstrapPreset.Rule(["get", "list", "watch", "create", "delete"], ["multicluster.x-k8s.io"], ["serviceexports"]),
                BootstrapPreset.Rule(get, ["multicluster.x-k8s.io"], ["serviceimports"]),
                BootstrapPreset.Rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
                BootstrapPreset.Rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])),
        }, "istio-operator");
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRoleBinding",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels.DeepClone() },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = name },
            ["subjects"] = new JsonArray(new JsonObject
            {
                ["kind"] = "ServiceAccount", ["name"] = "istio-reader-service-account", ["namespace"] = "istio-system",
            }),
        }, "istio-operator");
    }

    private static void Istiod(Seeder seeder, string rev, string clusterId)
    {
        var labels = new JsonObject { ["app"] = "istiod", ["istio"] = "pilot", ["istio.io/rev"] = rev };
        // asm-1282-4 -> 1.28.2-asm.4
        var parts = rev.Split('-');
        var tag = parts.Length == 3 && parts[1].Length >= 3
            ? $"{parts[1][0]}.{parts[1][1..^1]}.{parts[1][^1]}-asm.{parts[2]}"
            : "1.28.2-asm.4";
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = $"istiod-{rev}", ["namespace"] = "istio-system", ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "istiod", ["istio.io/rev"] = rev } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["labels"] = new JsonObject
                        {
                            ["app"] = "istiod", ["istio"] = "pilot", ["istio.io/rev"] = rev, ["sidecar.istio.io/inject"] = "false",
                        },
                    },
                    ["spec"] = new JsonObject
                    {
                        ["serviceAccountName"] = $"istiod-{rev}",
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "discovery", ["image"] = $"gcr.io/gke-release/asm/pilot:{tag}",
                            ["args"] = new JsonArray("discovery", "--monitoringAddr=:15014", "--log_output_level=default:info", "--domain", "cluster.local", "--keepaliveMaxServerConnectionAge", "30m"),
                            ["ports"] = new JsonArray(
                                new JsonObject { ["containerPort"] = 8080, ["protocol"] = "TCP" },
                                new JsonObject { ["containerPort"] = 15010, ["protocol"] = "TCP" },
                                new JsonObject { ["containerPort"] = 15017, ["protocol"] = "TCP" }),
                            ["env"] = new JsonArray(
                                new JsonObject { ["name"] = "REVISION", ["value"] = rev },
                                new JsonObject { ["name"] = "PILOT_CERT_PROVIDER", ["value"] = "istiod" },
                                new JsonObject { ["name"] = "CLUSTER_ID", ["value"] = clusterId }),
                        }),
                    },
                },
            },
        }, "istio-operator");
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = $"istiod-{rev}", ["namespace"] = "istio-system", ["labels"] = labels.DeepClone() },
        }, "istio-operator");
        seeder.Apply(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = $"istiod-{rev}", ["namespace"] = "istio-system", ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["app"] = "istiod", ["istio.io/rev"] = rev },
                ["ports"] = new JsonArray(
                    new JsonObject { ["name"] = "grpc-xds", ["port"] = 15010 },
                    new JsonObject { ["name"] = "https-dns", ["port"] = 15012 },
                    new JsonObject { ["name"] = "https-webhook", ["port"] = 443, ["targetPort"] = 15017 },
                    new JsonObject { ["name"] = "http-monitoring", ["port"] = 15014 }),
            },
        }, "istio-operator");
    }
}
