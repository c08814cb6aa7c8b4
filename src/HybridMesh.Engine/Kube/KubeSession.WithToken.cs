using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// A session that authenticates with a service-account token instead of a kubeconfig: what istiod in another cluster
/// does with a remote secret, so New-Mesh can prove a link works (docs/design/remote-secrets.md).
/// </summary>
internal sealed partial class KubeSession
{
    /// <summary>
    /// A session to <paramref name="server"/> as the holder of <paramref name="token"/>, trusting only
    /// <paramref name="caPem"/> — what istiod in another cluster does with a remote secret. The token stays in
    /// memory; the session's errors describe the authentication as "ServiceAccountToken".
    /// </summary>
    internal static KubeSession OpenWithToken(string context, Uri server, byte[] caPem, string token, KubeSessionOptions options)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPem(Encoding.UTF8.GetString(caPem));
        var config = new KubernetesClientConfiguration
        {
            Host = server.ToString(),
            AccessToken = token,
            SslCaCerts = authorities,
        };
        return new KubeSession(context, config, options, "ServiceAccountToken");
    }
}
