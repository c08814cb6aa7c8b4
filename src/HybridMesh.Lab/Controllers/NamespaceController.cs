using System.Text.Json.Nodes;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Controllers;

/// <summary>
/// What kube-controller-manager does for namespaces: a "default" ServiceAccount and the kube-root-ca.crt ConfigMap in
/// every namespace (docs/design/kube-api-answers.md §2.5), and, for a Terminating namespace, deleting its content and then the namespace itself.
/// Simplification: content is removed even if it carries custom finalizers.
/// </summary>
internal sealed class NamespaceController(ClusterRuntime rt, CancellationToken stopping) : ControllerBase(rt, stopping)
{
    private const string RootCaDescription =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    public override void OnChange(StoreEvent e)
    {
        if (e.GroupResource != "namespaces") return;
        if (e.Type == StoreEventType.Added) EnsureDefaults(Name(e.New!));
        else if (e.Type == StoreEventType.Modified && e.New!["metadata"]?["deletionTimestamp"] is not null)
            After(TimeSpan.FromMilliseconds(50), () => Finalize(Name(e.New!)));
    }

    public void EnsureDefaults(string ns)
    {
        CreateIfMissing("serviceaccounts", new JsonObject
        {
            ["kind"] = "ServiceAccount", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns },
        });
        CreateIfMissing("configmaps", new JsonObject
        {
            ["kind"] = "ConfigMap", ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = "kube-root-ca.crt", ["namespace"] = ns,
                ["annotations"] = new JsonObject { ["kubernetes.io/description"] = RootCaDescription },
            },
            ["data"] = new JsonObject { ["ca.crt"] = Rt.CaCertificatePem },
        });
    }

    private void Finalize(string ns)
    {
        Rt.Store.Transact(() =>
        {
            foreach (var type in Rt.Registry.All.Where(t => t.Namespaced).Select(t => t.GroupResource).Distinct())
                foreach (var o in Rt.Store.List(type, ns).Items)
                    Rt.Store.Remove(type, ns, Name(o));
            Rt.Store.Remove("namespaces", null, ns);
        });
    }
}
