using System.Text.Json;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Where pods/exec is forbidden, istiod's /debug/clusterz is read through the API server's pods/proxy to the pod's
/// monitoring port instead: GET /api/v1/namespaces/istio-system/pods/&lt;pod&gt;:15014/proxy/debug/clusterz (RBAC: get on
/// pods/proxy). Same body as over exec (docs/design/in-cluster-probes.md, istiod-view.md).
/// </summary>
internal static class IstiodProxyFallback
{
    public const int MonitoringPort = 15014;

    public static string Path(string pod) =>
        $"/api/v1/namespaces/{IstioNames.SystemNamespace}/pods/{pod}:{MonitoringPort}/proxy/debug/clusterz";

    public static async Task<IstiodPodView> ReadAsync(KubeSession session, string pod, int? minor, string execProblem, CancellationToken ct)
    {
        try
        {
            var body = await session.GetPathAsync(Path(pod), ct).ConfigureAwait(false);
            if (body is null)
            {
                return new IstiodPodView(pod, minor, null, $"{execProblem} Through pods/proxy, istiod in {pod} does not serve /debug/clusterz on {MonitoringPort} (404).",
                    "Check that the pod runs istiod with its monitoring port 15014, or grant create on pods/exec in istio-system.");
            }

            return new IstiodPodView(pod, minor, ClusterzEntry.Parse(body.ToJsonString()), null, null);
        }
        catch (KubeForbiddenException)
        {
            return new IstiodPodView(pod, minor, null, $"{execProblem} pods/proxy is forbidden too (403).",
                "Grant create on pods/exec, or get on pods/proxy, in istio-system to this identity; or pass -SkipIstiodView.");
        }
        catch (Exception ex) when (ex is MeshException or JsonException or FormatException)
        {
            return new IstiodPodView(pod, minor, null, $"{execProblem} Through pods/proxy to port {MonitoringPort}: {MeshErrors.RedactUserInfo(ex.Message.Split('\n')[0])}",
                "Let the API server reach istiod's pod on port 15014 (pods/proxy), or grant create on pods/exec in istio-system to this identity.");
        }
    }
}
