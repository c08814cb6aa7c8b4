using System.Net;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Recognises API server addresses that work for the machine running the module but not for istiod in another
/// cluster (docs/design/kubeconfigs.md): loopback, the in-cluster service name, and the fleet Connect gateway.
/// </summary>
internal static class RemoteServerCheck
{
    public static string? UnreachableReason(string server)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return $"'{MeshErrors.RedactUserInfo(server)}' is not an absolute URL.";
        }

        var host = uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return $"'{host}' is this machine; istiod in another cluster would connect to itself.";
        }

        if (IPAddress.TryParse(host, out var address))
        {
            if (IPAddress.IsLoopback(address))
            {
                return $"{host} is a loopback address (often a tunnel or port-forward on this machine); istiod in " +
                       "another cluster cannot reach it.";
            }

            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                return $"{host} is the unspecified address, not a reachable server.";
            }
        }

        if (host is "kubernetes" or "kubernetes.default" || host.StartsWith("kubernetes.default.svc", StringComparison.Ordinal))
        {
            return $"'{host}' is the in-cluster name of the API server; from another cluster it resolves to that " +
                   "cluster's own API server.";
        }

        if (host == "connectgateway.googleapis.com" || host.EndsWith("-connectgateway.googleapis.com", StringComparison.Ordinal))
        {
            return "the fleet Connect gateway authenticates Google identities, not Kubernetes service-account " +
                   "tokens, so istiod cannot use it; use the cluster's own API server address.";
        }

        return null;
    }
}
