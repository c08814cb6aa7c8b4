using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// What New-Mesh needs beyond the generic verbs: an apply that skips the read (the caller already listed the live
/// objects, so wiring N×(N−1) links costs one request each), a session that authenticates with a service-account
/// token instead of a kubeconfig (to prove a remote secret works), and SelfSubjectAccessReview.
/// </summary>
public sealed partial class KubeSession
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

    /// <summary>Server-side apply without the read ApplyAsync does first; returns the stored object.</summary>
    internal async Task<JsonObject> ApplyBlindAsync(JsonObject obj, bool force, CancellationToken cancellationToken)
    {
        var (resource, ns, name) = await Identify(obj, cancellationToken).ConfigureAwait(false);
        var path = resource.ObjectPath(ns, name) + new QueryBuilder()
            .Add("fieldManager", DefaultFieldManager)
            .Add("force", force ? "true" : null);
        var content = new StringContent(obj.ToJsonString(), Encoding.UTF8, "application/apply-patch+yaml");
        var response = await SendAsync(HttpMethod.Patch, path, content, idempotent: true, cancellationToken).ConfigureAwait(false);
        return ObjectOrThrow(response, new KubeOperation("apply", resource, ns, name, path));
    }

    /// <summary>
    /// SelfSubjectAccessReview: may this session's identity <paramref name="verb"/> <paramref name="resource"/>
    /// (core group) in all namespaces? A 401 throws KubeUnauthorized, as for any other request.
    /// </summary>
    internal async Task<bool> CanIAsync(string verb, string resource, CancellationToken cancellationToken)
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject
            {
                ["resourceAttributes"] = new JsonObject { ["verb"] = verb, ["resource"] = resource, ["group"] = "" },
            },
        };
        const string path = "apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
        var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        // Creating a review changes nothing, so a retry is harmless.
        var response = await SendAsync(HttpMethod.Post, path, content, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw Failure(response, new KubeOperation("create", null, null, null, path));
        }

        return response.Status == HttpStatusCode.Created || response.Status == HttpStatusCode.OK
            ? response.ParseJson()?["status"]?["allowed"]?.GetValue<bool>() == true
            : false;
    }
}
