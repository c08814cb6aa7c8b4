using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// Runbook step 5: the remote secret istioctl create-remote-secret would print (docs/design/remote-secrets.md), built from the pieces the
/// linking service collected. istiod in the target cluster watches Secrets labelled istio/multiCluster=true in its
/// namespace and treats every data key as a cluster id whose value is a kubeconfig for that cluster.
/// </summary>
internal static class RemoteSecretRenderer
{
    public const string SecretNamePrefix = "istio-remote-secret-";
    public const string MultiClusterLabel = "istio/multiCluster";
    public const string ClusterAnnotation = "networking.istio.io/cluster";

    public static string SecretName(string clusterName) => SecretNamePrefix + clusterName;

    /// <summary>
    /// The Secret, with the kubeconfig under data (base64) as the API server stores it, so that the object read back
    /// from a cluster compares equal to the rendered one. Throws MeshException for invalid input (never naming the token).
    /// </summary>
    public static JsonObject Render(RemoteSecretSource source)
    {
        var kubeconfig = RenderKubeconfig(source);
        var annotations = new KeyValuePair<string, string>[] { new(ClusterAnnotation, source.ClusterName) };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = ManifestObjects.Metadata(SecretName(source.ClusterName), source.Namespace,
                [new(MultiClusterLabel, "true")], annotations),
            // No "type": istioctl omits it too, so the API server defaults it to Opaque.
            ["data"] = new JsonObject
            {
                [source.ClusterName] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig)),
            },
        };
    }

    /// <summary>The kubeconfig text stored under the cluster-name key (YAML; clusters/contexts/users all named after the cluster).</summary>
    public static string RenderKubeconfig(RemoteSecretSource source)
    {
        Validate(source);
        var name = source.ClusterName;
        var cluster = new JsonObject
        {
            ["certificate-authority-data"] = Convert.ToBase64String(source.CertificateAuthority),
            ["server"] = source.Server,
        };
        if (!string.IsNullOrEmpty(source.TlsServerName))
        {
            cluster["tls-server-name"] = source.TlsServerName;
        }

        var config = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["name"] = name, ["cluster"] = cluster }),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["name"] = name,
                ["context"] = new JsonObject { ["cluster"] = name, ["user"] = name },
            }),
            ["current-context"] = name,
            ["users"] = new JsonArray(new JsonObject
            {
                ["name"] = name,
                ["user"] = new JsonObject { ["token"] = source.Token },
            }),
        };
        return ManifestYaml.SerializeDocument(config);
    }

    /// <summary>
    /// Why istiod in another cluster could not reach <paramref name="server"/>, or null when nothing is known to be
    /// wrong. The address comes from the caller's kubeconfig, which often points at a tunnel, a local proxy or the
    /// fleet Connect gateway — fine for this machine, useless inside another cluster.
    /// </summary>
    public static string? UnreachableServerReason(string server) => RemoteServerCheck.UnreachableReason(server);

    private static void Validate(RemoteSecretSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!KubeNames.IsDns1123Label(source.ClusterName))
        {
            throw MeshErrors.ClusterNameInvalid(source.ClusterName);
        }

        if (!KubeNames.IsDns1123Label(source.Namespace))
        {
            throw MeshErrors.NamespaceInvalid(source.Namespace);
        }

        if (!Uri.TryCreate(source.Server, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            throw MeshErrors.ServerUrlInvalid(source.ClusterName, source.Server);
        }

        if (source.CertificateAuthority is not { Length: > 0 })
        {
            throw MeshErrors.CertificateAuthorityMissing(source.ClusterName);
        }

        if (string.IsNullOrWhiteSpace(source.Token))
        {
            throw MeshErrors.ServiceAccountTokenMissing(source.ClusterName);
        }
    }
}
