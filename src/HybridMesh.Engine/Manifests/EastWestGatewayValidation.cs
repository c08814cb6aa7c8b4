using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Checks EastWestGatewayOptions once, for both the plain-Kubernetes and the IstioOperator renderer, and returns the
/// normalised values they share. Throws the first MeshException found.
/// </summary>
internal static class EastWestGatewayValidation
{
    public const string InternalLoadBalancerAnnotation = "cloud.google.com/load-balancer-type";

    public static ValidatedGateway Validate(EastWestGatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!KubeNames.IsLabelValue(options.Network))
        {
            throw MeshErrors.NetworkInvalid(options.Network);
        }

        var revision = string.IsNullOrEmpty(options.Revision) ? null : options.Revision;
        if (revision is not null && !KubeNames.IsDns1123Label(revision))
        {
            throw MeshErrors.RevisionInvalid(revision);
        }

        if (!KubeNames.IsDns1123Label(options.Namespace))
        {
            throw MeshErrors.NamespaceInvalid(options.Namespace);
        }

        var meshId = string.IsNullOrEmpty(options.MeshId) ? null : options.MeshId;
        if (meshId is not null && !KubeNames.IsLabelValue(meshId))
        {
            throw MeshErrors.MeshIdInvalid(meshId);
        }

        if (options.MinReplicas < 1 || options.MaxReplicas < options.MinReplicas)
        {
            throw MeshErrors.ReplicaBoundsInvalid(options.MinReplicas, options.MaxReplicas);
        }

        var isLoadBalancer = options.ServiceType == GatewayServiceType.LoadBalancer;
        var loadBalancerIp = string.IsNullOrEmpty(options.LoadBalancerIP) ? null : options.LoadBalancerIP;
        if (loadBalancerIp is not null)
        {
            if (!isLoadBalancer)
            {
                throw MeshErrors.ServiceTypeConflict("LoadBalancerIP", options.ServiceType);
            }

            if (!KubeNames.IsIpAddress(loadBalancerIp))
            {
                throw MeshErrors.IpAddressInvalid("LoadBalancerIP", loadBalancerIp);
            }
        }

        if (options.InternalLoadBalancer && !isLoadBalancer)
        {
            throw MeshErrors.ServiceTypeConflict("InternalLoadBalancer", options.ServiceType);
        }

        var externalIps = options.ExternalIPs ?? [];
        foreach (var ip in externalIps)
        {
            if (!KubeNames.IsIpAddress(ip))
            {
                throw MeshErrors.IpAddressInvalid("ExternalIPs", ip ?? "");
            }
        }

        var annotations = new List<KeyValuePair<string, string>>();
        if (options.InternalLoadBalancer)
        {
            annotations.Add(new(InternalLoadBalancerAnnotation, "internal"));
        }

        foreach (var (key, value) in options.ServiceAnnotations ?? new Dictionary<string, string>())
        {
            if (!KubeNames.IsQualifiedName(key))
            {
                throw MeshErrors.AnnotationInvalid(key ?? "", "the key is not a valid annotation name.");
            }

            if (value is null)
            {
                throw MeshErrors.AnnotationInvalid(key, "the value is null.");
            }

            if (options.InternalLoadBalancer && key == InternalLoadBalancerAnnotation)
            {
                // Both say how the LB is built; silently letting one win would hide a mistake in the caller's input.
                throw MeshErrors.AnnotationInvalid(key, "-InternalLoadBalancer already sets it to \"internal\".");
            }

            annotations.Add(new(key, value));
        }

        var pullSecrets = options.ImagePullSecrets ?? [];
        foreach (var name in pullSecrets)
        {
            if (!KubeNames.IsDns1123Subdomain(name))
            {
                throw MeshErrors.ImagePullSecretInvalid(name ?? "");
            }
        }

        return new ValidatedGateway(options.Network, revision, options.Namespace, meshId, options.ServiceType,
            loadBalancerIp, externalIps.Distinct(StringComparer.Ordinal).ToArray(), annotations,
            options.MinReplicas, options.MaxReplicas, options.IncludePodDisruptionBudget,
            pullSecrets.Distinct(StringComparer.Ordinal).ToArray());
    }
}

internal sealed record ValidatedGateway(
    string Network,
    string? Revision,
    string Namespace,
    string? MeshId,
    GatewayServiceType ServiceType,
    string? LoadBalancerIp,
    IReadOnlyList<string> ExternalIps,
    IReadOnlyList<KeyValuePair<string, string>> ServiceAnnotations,
    int MinReplicas,
    int MaxReplicas,
    bool IncludePodDisruptionBudget,
    IReadOnlyList<string> ImagePullSecrets);
