using System.Diagnostics;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Tests;

/// <summary>A fact that is skipped, saying why, when kubectl is not on PATH.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Kubectl.Path is null) Skip = "kubectl is not installed (not found on PATH); the kubectl fidelity tests need it";
    }
}

/// <summary>Runs the installed kubectl against a lab cluster, with its own empty discovery cache.</summary>
public sealed class Kubectl(string kubeconfig, string cacheDir)
{
    public static readonly string? Path = Find();

    private static string? Find()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "kubectl.exe" } : ["kubectl"];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
            foreach (var n in names)
                if (dir.Length > 0 && File.Exists(System.IO.Path.Combine(dir, n))) return System.IO.Path.Combine(dir, n);
        return null;
    }

    public async Task<(int Exit, string Out, string Err)> Run(params string[] args) => await RunWithInput(null, args);

    public async Task<(int Exit, string Out, string Err)> RunWithInput(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Path!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(kubeconfig);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(cacheDir);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("KUBECONFIG");
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>
/// The independent client: where kubectl and the lab disagree, the lab is wrong. Each test uses a fresh discovery
/// cache so kubectl goes through aggregated discovery and OpenAPI as it does cold.
/// </summary>
public sealed class KubectlFidelityTests(LabFixture fx) : IClassFixture<LabFixture>, IDisposable
{
    private readonly string _cache = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hm-kubectl-cache-" + Guid.NewGuid().ToString("N")[..8]);

    private Kubectl Gke => new(fx.Gke.KubeconfigPath, _cache);

    public void Dispose()
    {
        try { Directory.Delete(_cache, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void Ok((int Exit, string Out, string Err) r) => Assert.True(r.Exit == 0, $"kubectl failed ({r.Exit}): {r.Err}");

    [KubectlFact]
    public async Task Get_namespaces_lists_the_preset_namespaces()
    {
        var r = await Gke.Run("get", "ns");
        Ok(r);
        Assert.Contains("istio-system", r.Out);
        Assert.Contains("kube-system", r.Out);
    }

    [KubectlFact]
    public async Task Server_side_apply_creates_then_is_unchanged_and_get_delete_work()
    {
        var ns = "kc-" + Guid.NewGuid().ToString("N")[..6];
        Ok(await Gke.Run("create", "namespace", ns));
        var manifest = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
              namespace: {{ns}}
              labels: {a: b}
            data:
              k: v
            """;
        var first = await Gke.RunWithInput(manifest, "apply", "--server-side", "-f", "-");
        Ok(first);
        Assert.Contains("configmap/x serverside-applied", first.Out);
        var rv1 = (string?)fx.Gke.GetObject("v1", "ConfigMap", ns, "x")!["metadata"]!["resourceVersion"];
        Ok(await Gke.RunWithInput(manifest, "apply", "--server-side", "-f", "-"));
        Assert.Equal(rv1, (string?)fx.Gke.GetObject("v1", "ConfigMap", ns, "x")!["metadata"]!["resourceVersion"]);
        var log = fx.Gke.RequestLog.Entries;
        Assert.Contains(log, e => e.Method == "PATCH" && e.Path == $"/api/v1/namespaces/{ns}/configmaps/x" && e.Query.Contains("fieldManager=kubectl") && e.Status == 200);

        var json = await Gke.Run("get", "cm", "-n", ns, "-l", "a=b", "-o", "json");
        Ok(json);
        var items = JsonNode.Parse(json.Out)!["items"]!.AsArray();
        Assert.Equal("x", (string?)items.Single()!["metadata"]!["name"]);
        Assert.Equal("v", (string?)items[0]!["data"]!["k"]);
        var none = await Gke.Run("get", "cm", "-n", ns, "-l", "a!=b", "-o", "name");
        Ok(none);
        Assert.Equal("configmap/kube-root-ca.crt", none.Out.Trim());

        var del = await Gke.Run("delete", "cm", "x", "-n", ns);
        Ok(del);
        Assert.Contains("configmap \"x\" deleted", del.Out);
        var missing = await Gke.Run("get", "cm", "x", "-n", ns);
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("Error from server (NotFound): configmaps \"x\" not found", missing.Err);
    }

    [KubectlFact]
    public async Task Server_side_apply_of_a_gateway_and_a_conflict_reported_by_kubectl()
    {
        var gw = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: kc-gateway, namespace: istio-system}
            spec:
              selector: {istio: eastwestgateway}
              servers:
              - port: {number: 15443, name: tls, protocol: TLS}
                tls: {mode: AUTO_PASSTHROUGH}
                hosts: ["*.local"]
            """;
        Ok(await Gke.RunWithInput(gw, "apply", "--server-side", "--field-manager", "hybridmesh", "-f", "-"));
        var conflict = await Gke.RunWithInput(gw.Replace("eastwestgateway", "other"), "apply", "--server-side", "-f", "-");
        Assert.NotEqual(0, conflict.Exit);
        Assert.Contains("conflict", conflict.Err, StringComparison.OrdinalIgnoreCase);
        Ok(await Gke.RunWithInput(gw.Replace("eastwestgateway", "other"), "apply", "--server-side", "--force-conflicts", "-f", "-"));
        var got = await Gke.Run("get", "gateways.v1beta1.networking.istio.io", "kc-gateway", "-n", "istio-system", "-o", "jsonpath={.apiVersion} {.spec.selector.istio}");
        Ok(got);
        Assert.Equal("networking.istio.io/v1beta1 other", got.Out);
    }

    [KubectlFact]
    public async Task Create_token_returns_a_token_the_lab_accepts()
    {
        var r = await Gke.Run("create", "token", "istio-reader-service-account", "-n", "istio-system", "--duration", "20m");
        Ok(r);
        var token = r.Out.Trim();
        var claims = JsonNode.Parse(HybridMesh.Lab.Auth.TokenIssuer.FromBase64Url(token.Split('.')[1]))!;
        Assert.Equal(1200, (long)claims["exp"]! - (long)claims["iat"]!);
        using var k = Kube.For(fx.Gke, token);
        Assert.Equal(200, (await k.Get("/api/v1/namespaces/istio-system/secrets")).Code);
    }

    [KubectlFact]
    public async Task Auth_can_i_answers_yes_for_admin_and_no_for_the_reader_where_rbac_denies()
    {
        var admin = await Gke.Run("auth", "can-i", "create", "secrets", "-n", "istio-system");
        Ok(admin);
        Assert.Equal("yes", admin.Out.Trim());
        var token = fx.Gke.CreateServiceAccountToken("istio-system", "istio-reader-service-account");
        var readerList = await Gke.Run("--token", token, "auth", "can-i", "list", "secrets", "-n", "istio-system");
        Ok(readerList);
        Assert.Equal("yes", readerList.Out.Trim());
        var readerCreate = await Gke.Run("--token", token, "auth", "can-i", "create", "secrets", "-n", "istio-system");
        Assert.Equal("no", readerCreate.Out.Trim());
    }

    [KubectlFact]
    public async Task Api_resources_lists_builtins_and_crds()
    {
        var r = await Gke.Run("api-resources");
        Ok(r);
        var lines = r.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("gateways ") && l.Contains("networking.istio.io/v1") && l.Contains("Gateway"));
        Assert.Contains(lines, l => l.StartsWith("memberships ") && l.Contains("hub.gke.io/v1"));
        Assert.Contains(lines, l => l.StartsWith("deployments ") && l.Contains("apps/v1"));
        Assert.Contains(lines, l => l.StartsWith("serviceaccounts ") && l.Contains(" sa "));
    }

    [KubectlFact]
    public async Task Get_prints_the_table_columns_kubectl_users_expect()
    {
        var ns = "kt-" + Guid.NewGuid().ToString("N")[..6];
        Ok(await Gke.Run("create", "namespace", ns));
        Ok(await Gke.RunWithInput($$"""
            apiVersion: v1
            kind: Service
            metadata: {name: ewgw, namespace: {{ns}}}
            spec: {type: LoadBalancer, selector: {istio: eastwestgateway}, ports: [{name: tls, port: 15443}]}
            """, "apply", "--server-side", "-f", "-"));
        await Kube.Eventually(async () => (await Gke.Run("get", "svc", "ewgw", "-n", ns)).Out.Contains("100.64."), "EXTERNAL-IP column with the address");
        var svc = await Gke.Run("get", "svc", "ewgw", "-n", ns);
        Assert.Matches(@"NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE", svc.Out);
        Assert.Matches(@"ewgw\s+LoadBalancer\s+10\.1\.\d+\.\d+\s+100\.64\.\d+\.\d+\s+15443:\d+/TCP", svc.Out);
        var pods = await Gke.Run("get", "pods", "-n", "istio-system");
        Ok(pods);
        Assert.Matches(@"istiod-asm-1282-4-\S+\s+1/1\s+Running\s+0", pods.Out);
    }

    [KubectlFact]
    public async Task Create_configmap_secret_and_serviceaccount_imperatively()
    {
        var ns = "ki-" + Guid.NewGuid().ToString("N")[..6];
        Ok(await Gke.Run("create", "namespace", ns));
        Ok(await Gke.Run("create", "configmap", "c1", "-n", ns, "--from-literal=a=b"));
        Ok(await Gke.Run("create", "secret", "generic", "s1", "-n", ns, "--from-literal=x=y"));
        Ok(await Gke.Run("create", "serviceaccount", "bot", "-n", ns));
        Assert.Equal("b", (string?)fx.Gke.GetObject("v1", "ConfigMap", ns, "c1")!["data"]!["a"]);
        var secret = fx.Gke.GetObject("v1", "Secret", ns, "s1")!;
        Assert.Equal("eQ==", (string?)secret["data"]!["x"]);
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.NotNull(fx.Gke.GetObject("v1", "ServiceAccount", ns, "bot"));
    }
}
