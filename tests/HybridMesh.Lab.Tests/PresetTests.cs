using System.Text.Json.Nodes;
using HybridMesh.Lab;

namespace HybridMesh.Lab.Tests;

/// <summary>Kubeconfigs, lab.json and what the ASM preset leaves in each cluster.</summary>
public sealed class PresetTests(LabFixture fx) : IClassFixture<LabFixture>
{
    [Fact]
    public void Kubeconfigs_are_named_like_gke_and_onprem_and_carry_ca_data_and_a_token()
    {
        Assert.Equal("gke_lab-gke-project_us-central1_cluster1", fx.Gke.Context);
        Assert.Equal("admin@cluster2", fx.OnPrem.Context);
        var gke = File.ReadAllText(fx.Gke.KubeconfigPath);
        Has(gke, "- name: gke_lab-gke-project_us-central1_cluster1\n  cluster:");
        Has(gke, "user: gke_lab-gke-project_us-central1_cluster1");
        Has(gke, "certificate-authority-data: ");
        Has(gke, "token: ");
        Assert.False(gke.Contains("exec:"), "the GKE-style kubeconfig must use a token user, not an exec plugin");
        var onprem = File.ReadAllText(fx.OnPrem.KubeconfigPath);
        Has(onprem, "- name: cluster2\n  cluster:");
        Has(onprem, "current-context: admin@cluster2");
        Assert.StartsWith("https://127.0.0.1:", fx.Gke.Server);

        // Assert.Contains would print the whole file, token included, on failure.
        static void Has(string kubeconfig, string part) => Assert.True(kubeconfig.Contains(part), $"kubeconfig lacks \"{part}\"");
    }

    [Fact]
    public void Lab_json_lists_clusters_without_tokens_and_a_null_fleet()
    {
        var text = File.ReadAllText(fx.Lab.LabJsonPath);
        Assert.False(text.Contains(fx.Gke.AdminToken, StringComparison.Ordinal), "lab.json holds a bearer token"); // never echo the token
        var doc = JsonNode.Parse(text)!;
        Assert.Equal(fx.Lab.ControlUrl, (string?)doc["controlUrl"]);
        var fleet = doc["fleet"]!;
        Assert.Equal("lab-fleet", (string?)fleet["projectId"]);
        Assert.Equal(fx.Lab.Options.FleetProjectNumber, (long)fleet["projectNumber"]!);
        Assert.Equal(fx.Lab.Fleet!.Url.ToString(), (string?)fleet["url"]);
        Assert.True(File.Exists((string?)fleet["credentialFile"]));
        var clusters = doc["clusters"]!.AsArray();
        Assert.Equal(new string?[] {"Gke", "OnPrem"}, clusters.Select(c => (string?)c!["platform"]).ToArray());
        Assert.Equal(fx.OnPrem.KubeconfigPath, (string?)clusters[1]!["kubeconfig"]);
    }

    [Fact]
    public void Asm_preset_leaves_istiod_reader_rbac_root_cert_and_membership()
    {
        var istiod = fx.Gke.GetObject("apps/v1", "Deployment", "istio-system", "istiod-asm-1282-4")!;
        Assert.Equal("istiod", (string?)istiod["metadata"]!["labels"]!["app"]);
        Assert.Equal("asm-1282-4", (string?)istiod["metadata"]!["labels"]!["istio.io/rev"]);
        var env = istiod["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Contains(env, e => (string?)e!["name"] == "REVISION" && (string?)e["value"] == "asm-1282-4");
        Assert.Contains(env, e => (string?)e!["name"] == "CLUSTER_ID" && (string?)e["value"] == "cn-lab-gke-project-us-central1-cluster1");
        var onpremEnv = fx.OnPrem.GetObject("apps/v1", "Deployment", "istio-system", "istiod-asm-1282-4")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Contains(onpremEnv, e => (string?)e!["name"] == "CLUSTER_ID" && (string?)e["value"] == "cn-lab-fleet-global-cluster2");

        Assert.NotNull(fx.Gke.GetObject("v1", "ServiceAccount", "istio-system", "istio-reader-service-account"));
        var role = fx.Gke.GetObject("rbac.authorization.k8s.io/v1", "ClusterRole", null, "istio-reader-clusterrole-asm-1282-4-istio-system")!;
        Assert.Contains(role["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "secrets"));
        Assert.NotNull(fx.Gke.GetObject("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "istio-reader-clusterrole-asm-1282-4-istio-system"));
        Assert.NotNull(fx.Gke.GetObject("v1", "Namespace", null, "kube-system")!["metadata"]!["uid"]);

        var rootGke = (string?)fx.Gke.GetObject("v1", "ConfigMap", "istio-system", "istio-ca-root-cert")!["data"]!["root-cert.pem"];
        var rootOnPrem = (string?)fx.OnPrem.GetObject("v1", "ConfigMap", "istio-system", "istio-ca-root-cert")!["data"]!["root-cert.pem"];
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", rootGke);
        Assert.Equal(rootGke, rootOnPrem);

        var membership = fx.Gke.GetObject("hub.gke.io/v1", "Membership", null, "membership")!;
        Assert.Equal("//gkehub.googleapis.com/projects/lab-fleet/locations/global/memberships/cluster1", (string?)membership["spec"]!["owner"]!["id"]);
        Assert.Null(fx.Gke.GetObject("v1", "Secret", "istio-system", "cacerts"));
    }

    [Fact]
    public async Task Options_give_two_revisions_distinct_roots_cacerts_network_and_no_membership()
    {
        await using var lab = await LabHost.StartAsync(new LabOptions
        {
            Clusters = 2, DistinctRoots = true, StartControlServer = false, Fleet = TestFleetKey.Options(),
            Customize = (i, c) =>
            {
                c.Revisions = i == 1 ? ["asm-1282-4", "asm-1264-1"] : [];
                c.CaCertsSecret = true;
                c.Network = $"net-{i}";
                c.Registered = false;
            },
        });
        var (one, two) = (lab.Clusters[0], lab.Clusters[1]);
        Assert.Equal(2, one.ListObjects("apps/v1", "Deployment", "istio-system").Count(d => ((string?)d["metadata"]!["name"])!.StartsWith("istiod-")));
        Assert.Empty(two.ListObjects("apps/v1", "Deployment", "istio-system"));
        Assert.Equal("net-2", (string?)two.GetObject("v1", "Namespace", null, "istio-system")!["metadata"]!["labels"]!["topology.istio.io/network"]);
        Assert.NotEqual(
            (string?)one.GetObject("v1", "ConfigMap", "istio-system", "istio-ca-root-cert")!["data"]!["root-cert.pem"],
            (string?)two.GetObject("v1", "ConfigMap", "istio-system", "istio-ca-root-cert")!["data"]!["root-cert.pem"]);
        var cacerts = one.GetObject("v1", "Secret", "istio-system", "cacerts")!;
        Assert.Equal(["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"], cacerts["data"]!.AsObject().Select(kv => kv.Key).Order().ToArray());
        Assert.Throws<ArgumentException>(() => one.GetObject("hub.gke.io/v1", "Membership", null, "membership"));
        try { Directory.Delete(lab.OutputDirectory, true); } catch (IOException) { }
    }
}
