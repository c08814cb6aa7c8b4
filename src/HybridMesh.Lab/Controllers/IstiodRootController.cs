using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// What a starting istiod does with a plug-in CA (docs/design/istiod-view.md, docs/design/shared-root.md): it reads
/// Secret istio-system/cacerts once, at start, and writes its root-cert.pem into ConfigMap istio-ca-root-cert of
/// every namespace, overwriting what is there. So a changed cacerts takes effect only when an istiod pod starts (a
/// rollout restart), and until then the old root stays served. Without cacerts the root that is served stays as the
/// preset left it (istiod's own self-signed root).
/// </summary>
internal sealed class IstiodRootController(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    private const string IstioNs = "istio-system";
    private const string ConfigMapName = "istio-ca-root-cert";
    private const string PilotManager = "pilot-discovery";

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource != "pods" || e.Type != StoreEventType.Added) return;
        var pod = e.New!;
        if (Ns(pod) != IstioNs || (string?)pod["metadata"]?["labels"]?["app"] != "istiod") return;
        // cacerts is read when the pod starts, not when the (delayed) write happens: a cacerts written after an istiod
        // started must not be served by it, however late this controller's timer fires on a loaded machine.
        var secret = Rt.Store.Get("secrets", IstioNs, "cacerts");
        After(TimeSpan.FromMilliseconds(50), () => ServeCaCertsRoot(secret));
    }

    private void ServeCaCertsRoot(JsonObject? secret)
    {
        if (secret?["data"]?["root-cert.pem"] is not JsonValue value || !value.TryGetValue<string>(out var encoded)) return;
        string root;
        try { root = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
        catch (FormatException) { return; } // istiod would fail to start; the old root stays served
        foreach (var ns in Rt.Store.List("namespaces", null).Items.Select(Name))
        {
            if (ns.StartsWith("kube-", StringComparison.Ordinal)) continue; // istiod skips the system namespaces
            CreateIfMissing("configmaps", new JsonObject
            {
                ["kind"] = "ConfigMap", ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject
                {
                    ["name"] = ConfigMapName, ["namespace"] = ns, ["labels"] = new JsonObject { ["istio.io/config"] = "true" },
                },
                ["data"] = new JsonObject { ["root-cert.pem"] = root },
            }, PilotManager);
            Update("configmaps", ns, ConfigMapName, cm =>
            {
                if ((string?)cm["data"]?["root-cert.pem"] == root) return false;
                cm["data"] = new JsonObject { ["root-cert.pem"] = root };
                return true;
            }, manager: PilotManager);
        }
    }
}
