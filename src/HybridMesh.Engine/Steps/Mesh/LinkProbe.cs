using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// Proves a source's reader token the way istiod will use it: authenticate to the source with only the token and
/// the CA of the token Secret, and ask (SelfSubjectAccessReview) whether it may list services and endpoints.
/// One probe per source covers all its links, since every target's secret holds the same token.
/// </summary>
internal static class LinkProbe
{
    public static async Task<(MeshLinkStatus Status, string? Detail)> ProbeAsync(MeshMember source,
        ReaderCredential credential, KubeSessionOptions options, CancellationToken ct)
    {
        try
        {
            using var session = KubeSession.OpenWithToken(source.Context, source.Session!.Server,
                credential.CertificateAuthority, credential.Token, options);
            string[] resources = ["services", "endpoints"];
            var answers = await Task.WhenAll(resources.Select(r => session.CanIAsync("list", r, ct))).ConfigureAwait(false);
            var denied = resources.Where((_, i) => !answers[i]).ToList();

            return denied.Count == 0
                ? (MeshLinkStatus.Connected, null)
                : (MeshLinkStatus.Forbidden, $"The reader token may not list {string.Join(" or ", denied)} in " +
                                             $"'{source.ClusterName}'; check ClusterRole {Manifests.IstioReaderRenderer.ClusterRoleName(source.Revision)} and its binding.");
        }
        catch (KubeUnauthorizedException)
        {
            return (MeshLinkStatus.Unauthorized, $"'{source.ClusterName}' rejects the reader token (revoked, or its " +
                                                 "token Secret was deleted); delete the token Secret and re-run New-Mesh to issue a new one.");
        }
        catch (KubeUnreachableException error)
        {
            return (MeshLinkStatus.Unreachable, error.Message);
        }
        catch (MeshException error)
        {
            return (MeshLinkStatus.Failed, error.Message);
        }
    }
}
