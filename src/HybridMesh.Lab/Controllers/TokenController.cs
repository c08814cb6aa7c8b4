using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// The service-account token controller (docs/design/kube-api-answers.md §7.1-§7.5): a few ms after a kubernetes.io/service-account-token Secret is
/// created it fills data (ca.crt, namespace, token: a legacy JWT) and the service-account.uid annotation in one
/// write, or deletes the Secret when its ServiceAccount does not exist. Deleting a ServiceAccount deletes its token
/// Secrets; deleting a Secret invalidates its token (checked by the authenticator).
/// </summary>
internal sealed class TokenController(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    private const string TokenType = "kubernetes.io/service-account-token";

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource == "secrets" && e.Type == StoreEventType.Added && (string?)e.New!["type"] == TokenType)
        {
            var ns = Ns(e.New!)!;
            var name = Name(e.New!);
            After(Rt.TokenControllerDelay, () => Fill(ns, name));
        }
        else if (e.GroupResource == "serviceaccounts" && e.Type == StoreEventType.Deleted)
        {
            var ns = Ns(e.Old!)!;
            var sa = Name(e.Old!);
            After(TimeSpan.FromMilliseconds(10), () => Rt.Store.Transact(() =>
            {
                foreach (var s in Rt.Store.List("secrets", ns).Items)
                    if ((string?)s["type"] == TokenType && (string?)s["metadata"]?["annotations"]?["kubernetes.io/service-account.name"] == sa)
                        Rt.Store.Remove("secrets", ns, Name(s));
            }));
        }
    }

    private void Fill(string ns, string secretName)
    {
        var secret = Rt.Store.Get("secrets", ns, secretName);
        if (secret is null || secret["data"]?["token"] is not null) return;
        var saName = (string?)secret["metadata"]?["annotations"]?["kubernetes.io/service-account.name"] ?? "";
        var sa = Rt.Store.Get("serviceaccounts", ns, saName);
        if (sa is null)
        {
            Rt.Store.Transact(() => Rt.Store.Remove("secrets", ns, secretName));
            return;
        }
        var saUid = (string?)sa["metadata"]?["uid"] ?? "";
        var token = Rt.Issuer.Sign(new JsonObject
        {
            ["iss"] = "kubernetes/serviceaccount",
            ["kubernetes.io/serviceaccount/namespace"] = ns,
            ["kubernetes.io/serviceaccount/secret.name"] = secretName,
            ["kubernetes.io/serviceaccount/service-account.name"] = saName,
            ["kubernetes.io/serviceaccount/service-account.uid"] = saUid,
            ["sub"] = $"system:serviceaccount:{ns}:{saName}",
        });
        Update("secrets", ns, secretName, s =>
        {
            if (s["data"]?["token"] is not null) return false;
            var meta = (JsonObject)s["metadata"]!;
            if (meta["annotations"] is not JsonObject annotations) meta["annotations"] = annotations = new JsonObject();
            annotations["kubernetes.io/service-account.uid"] = saUid;
            if (s["data"] is not JsonObject data) s["data"] = data = new JsonObject();
            data["ca.crt"] = B64(Rt.CaCertificatePem);
            data["namespace"] = B64(ns);
            data["token"] = B64(token);
            return true;
        });
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
