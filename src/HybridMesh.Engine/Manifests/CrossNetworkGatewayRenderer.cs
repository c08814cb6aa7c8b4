using System.Text.Json.Nodes;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Runbook step 4: the Istio Gateway cross-network-gateway from expose-services.yaml (docs/design/gateway-objects.md). It tells the
/// east-west gateway to pass mTLS traffic for the listed hosts through on 15443, routed by SNI (AUTO_PASSTHROUGH).
/// </summary>
internal static class CrossNetworkGatewayRenderer
{
    public const string GatewayName = "cross-network-gateway";
    public const string ApiGroup = "networking.istio.io";

    /// <summary>Versions in order of preference: ASM's own file uses v1alpha3, upstream Istio ≥1.22 serves v1.</summary>
    public static IReadOnlyList<string> PreferredVersions { get; } = ["v1", "v1beta1", "v1alpha3"];

    /// <summary>
    /// The apiVersion ("networking.istio.io/v1" ...) to use, given the versions of networking.istio.io the cluster
    /// serves for Gateway (from API discovery; entries may be bare versions "v1" or group versions
    /// "networking.istio.io/v1"). Throws GatewayCrdMissing when none is served.
    /// </summary>
    public static string ChooseApiVersion(IEnumerable<string> servedVersions, string cluster = "")
    {
        ArgumentNullException.ThrowIfNull(servedVersions);
        var served = servedVersions
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => v.Trim())
            .Select(v => v.StartsWith(ApiGroup + "/", StringComparison.Ordinal) ? v[(ApiGroup.Length + 1)..] : v)
            .ToList();
        foreach (var version in PreferredVersions)
        {
            if (served.Contains(version, StringComparer.Ordinal))
            {
                return $"{ApiGroup}/{version}";
            }
        }

        throw MeshErrors.GatewayCrdMissing(cluster, served);
    }

    public static JsonObject Render(CrossNetworkGatewayOptions options, IEnumerable<string> servedVersions,
        string cluster = "")
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!KubeNames.IsDns1123Label(options.Namespace))
        {
            throw MeshErrors.NamespaceInvalid(options.Namespace);
        }

        var hosts = options.Hosts is { Count: > 0 } ? options.Hosts : ["*.local"];
        foreach (var host in hosts)
        {
            if (!KubeNames.IsGatewayHost(host))
            {
                throw MeshErrors.GatewayHostInvalid(host ?? "");
            }
        }

        return new JsonObject
        {
            ["apiVersion"] = ChooseApiVersion(servedVersions, cluster),
            ["kind"] = "Gateway",
            ["metadata"] = ManifestObjects.Metadata(GatewayName, options.Namespace, []),
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["istio"] = "eastwestgateway" },
                ["servers"] = new JsonArray(new JsonObject
                {
                    ["port"] = new JsonObject
                    {
                        ["number"] = EastWestGatewayRenderer.TlsPort,
                        ["name"] = "tls",
                        ["protocol"] = "TLS",
                    },
                    ["tls"] = new JsonObject { ["mode"] = "AUTO_PASSTHROUGH" },
                    ["hosts"] = ManifestObjects.Strings(hosts.Distinct(StringComparer.Ordinal)),
                }),
            },
        };
    }
}
