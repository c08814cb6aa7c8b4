using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Api;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Controllers;
using HybridMesh.Lab.Faults;
using HybridMesh.Lab.Presets;
using HybridMesh.Lab.Server;
using Microsoft.AspNetCore.Builder;

namespace HybridMesh.Lab;

/// <summary>
/// One simulated Kubernetes cluster: an HTTPS API server on 127.0.0.1 with its own CA, an admin token, a kubeconfig
/// file, controllers, faults on demand and a request log. Tests read and seed its objects directly.
/// </summary>
public sealed class LabCluster : IAsyncDisposable
{
    private readonly ClusterRuntime _rt;
    private readonly CertificateAuthority _ca;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Seeder _seeder;
    private readonly LoadBalancerController _lb;
    private WebApplication? _app;
    private ApiPipeline? _pipeline;

    private LabCluster(int index, ClusterOptions options, string contextName, string clusterName, string userName)
    {
        Index = index;
        Options = options;
        Context = contextName;
        KubeconfigClusterName = clusterName;
        KubeconfigUserName = userName;
        _rt = new ClusterRuntime(options.Name, TimeProvider.System);
        _ca = new CertificateAuthority($"{options.Name}-ca");
        _rt.CaCertificatePem = _ca.CertificatePem;
        _rt.LoadBalancer.Delay = options.LoadBalancerDelay;
        _rt.LoadBalancer.Never = options.LoadBalancerNever;
        _rt.DeploymentReadyDelay = options.DeploymentReadyDelay;
        _rt.PodStartDelay = options.PodStartDelay;
        _seeder = new Seeder(_rt);
        _lb = new LoadBalancerController(_rt, index, _stopping.Token);
        AdminToken = TokenIssuer.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _rt.Authenticator.AddStaticToken(AdminToken, new UserInfo("admin", "uid-admin", ["system:masters", "system:authenticated"]));
    }

    /// <summary>1-based position in the lab.</summary>
    public int Index { get; }
    public ClusterOptions Options { get; }
    public string Name => Options.Name;
    public LabPlatform Platform => Options.Platform;
    /// <summary>The kubeconfig context name (gke_project_location_name or admin@name).</summary>
    public string Context { get; }
    public string KubeconfigClusterName { get; }
    public string KubeconfigUserName { get; }
    public string KubeconfigPath { get; private set; } = "";
    /// <summary>https://127.0.0.1:port</summary>
    public string Server { get; private set; } = "";
    /// <summary>Bearer token of user "admin" (group system:masters). Never print it.</summary>
    public string AdminToken { get; }
    /// <summary>The Istio cluster ID the preset configures (CLUSTER_ID of istiod).</summary>
    public string ClusterId { get; internal set; } = "";
    /// <summary>PEM of the cluster CA that signed the API server certificate.</summary>
    public string CaCertificatePem => _ca.CertificatePem;
    public X509Certificate2 CaCertificate => _ca.Certificate;
    public FaultInjector Faults => _rt.Faults;
    public RequestLog RequestLog => _rt.RequestLog;
    public LoadBalancerSettings LoadBalancer => _rt.LoadBalancer;

    internal static async Task<LabCluster> StartAsync(int index, ClusterOptions options, string context, string clusterName, string userName,
        string outputDirectory, Func<LabCluster, AsmPresetSpec?> preset, CancellationToken ct)
    {
        var cluster = new LabCluster(index, options, context, clusterName, userName);
        await cluster.StartServerAsync(outputDirectory, preset, ct);
        return cluster;
    }

    private async Task StartServerAsync(string outputDirectory, Func<LabCluster, AsmPresetSpec?> preset, CancellationToken ct)
    {
        var controllers = new ControllerBase[]
        {
            new NamespaceController(_rt, _stopping.Token), new TokenController(_rt, _stopping.Token), _lb,
            new DeploymentController(_rt, _stopping.Token), new GarbageCollector(_rt, _stopping.Token),
            new IstiodRootController(_rt, _stopping.Token), new PodController(_rt, _stopping.Token),
        };
        _rt.Store.Changed += e =>
        {
            foreach (var c in controllers)
            {
                try
                {
                    c.OnChange(e);
                }
                catch (Exception ex)
                {
                    // a controller bug must not fail the client's write that triggered it
                    Console.Error.WriteLine($"[lab {Name}] {c.GetType().Name}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        };
        BootstrapPreset.Apply(_seeder);
        if (preset(this) is { } spec) AsmPreset.Apply(_seeder, spec);
        var nsController = (NamespaceController)controllers[0];
        foreach (var ns in _rt.Store.List("namespaces", null).Items) nsController.EnsureDefaults((string)ns["metadata"]!["name"]!);

        using var cert = _ca.IssueServerCertificate(Name);
        var pipeline = _pipeline = new ApiPipeline(_rt);
        var (app, port) = await ClusterServer.StartAsync(X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null), pipeline.HandleAsync, ct);
        _app = app;
        Server = $"https://127.0.0.1:{port}";
        _rt.ServerAddress = $"127.0.0.1:{port}";
        KubeconfigPath = Path.Combine(outputDirectory, $"{Name}.kubeconfig");
        KubeconfigWriter.Write(KubeconfigPath, KubeconfigWriter.Render(KubeconfigClusterName, Context, KubeconfigUserName, Server, _ca.CertificatePem, AdminToken));
    }

    // ---- behaviour switches ----

    /// <summary>LoadBalancer Services get an address after <paramref name="delay"/> (also those already waiting).</summary>
    public void SetLoadBalancerDelay(TimeSpan delay)
    {
        _rt.LoadBalancer.Delay = delay;
        _rt.LoadBalancer.Never = false;
        _lb.AssignPending();
    }

    /// <summary>LoadBalancer Services never get an address.</summary>
    public void SetLoadBalancerNever() => _rt.LoadBalancer.Never = true;

    /// <summary>
    /// The simulated kubelet's answer to pods/exec (e.g. what curl in a client pod prints). Null (the default): the
    /// kubelet is unreachable, and exec fails as docs/design/kube-api-answers.md §10.5/§10.6 record.
    /// </summary>
    public Func<LabExecRequest, CancellationToken, Task<LabExecResult>>? ExecHandler
    {
        get => _rt.ExecHandler;
        set => _rt.ExecHandler = value;
    }

    /// <summary>Pods created from now on with this image stay Pending in ErrImagePull (an air-gapped cluster, a typo).</summary>
    public void FailImagePull(string image) => _rt.UnpullableImages[image] = true;

    /// <summary>What a pod port answers through the API server's pods/proxy (null: nothing listens, 503).</summary>
    public Func<LabProxyRequest, CancellationToken, Task<LabExecResult?>>? ProxyHandler
    {
        get => _rt.ProxyHandler;
        set => _rt.ProxyHandler = value;
    }

    /// <summary>Changes whenever a token of this cluster is revoked, expired or reinstated.</summary>
    public int AuthVersion => _rt.Authenticator.Version;

    /// <summary>The token now fails authentication (401), as a deleted or rotated credential would.</summary>
    public void RevokeToken(string token) => _rt.Authenticator.Revoke(token);

    /// <summary>The token now fails authentication (401), as an expired one would.</summary>
    public void ExpireToken(string token) => _rt.Authenticator.Expire(token);

    public void ReinstateToken(string token) => _rt.Authenticator.Reinstate(token);

    /// <summary>Clears injected faults and token revocations.</summary>
    public void ClearFaults()
    {
        _rt.Faults.Clear();
        _rt.Authenticator.ClearRevocations();
        _rt.UnpullableImages.Clear();
    }

    /// <summary>Adds a static user (e.g. "viewer" with no RBAC) and returns its bearer token.</summary>
    public string AddUser(string name, params string[] groups)
    {
        var token = TokenIssuer.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _rt.Authenticator.AddStaticToken(token, new UserInfo(name, $"uid-{name}", [.. groups, "system:authenticated"]));
        return token;
    }

    /// <summary>
    /// A static user granted exactly <paramref name="rules"/> (PolicyRule objects) cluster-wide through a ClusterRole and
    /// ClusterRoleBinding named lab-user-&lt;name&gt;, and a kubeconfig for it next to the admin one (same context name).
    /// Returns the kubeconfig path: an admin with partial RBAC, as a user of a locked-down cluster would be.
    /// </summary>
    public string AddUserWithRules(string name, JsonArray rules)
    {
        var token = AddUser(name);
        var role = $"lab-user-{name}";
        ApplyObject(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRole",
            ["metadata"] = new JsonObject { ["name"] = role }, ["rules"] = rules.DeepClone(),
        });
        ApplyObject(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRoleBinding",
            ["metadata"] = new JsonObject { ["name"] = role },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
            ["subjects"] = new JsonArray(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = name }),
        });
        var path = Path.Combine(Path.GetDirectoryName(KubeconfigPath)!, $"{Name}-{name}.kubeconfig");
        KubeconfigWriter.Write(path, KubeconfigWriter.Render(KubeconfigClusterName, Context, name, Server, _ca.CertificatePem, token));
        return path;
    }

    /// <summary>A TokenRequest token for a ServiceAccount, as `kubectl create token` would get.</summary>
    public string CreateServiceAccountToken(string ns, string serviceAccount, TimeSpan? lifetime = null)
    {
        var sa = _rt.Store.Get("serviceaccounts", ns, serviceAccount) ?? throw new InvalidOperationException($"serviceaccount {ns}/{serviceAccount} not found");
        var now = _rt.Clock.GetUtcNow();
        var iat = now.ToUnixTimeSeconds();
        return _rt.Issuer.Sign(new JsonObject
        {
            ["aud"] = new JsonArray(TokenIssuer.Issuer), ["exp"] = iat + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds, ["iat"] = iat,
            ["iss"] = TokenIssuer.Issuer, ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = new JsonObject
            {
                ["namespace"] = ns, ["serviceaccount"] = new JsonObject { ["name"] = serviceAccount, ["uid"] = (string?)sa["metadata"]?["uid"] },
            },
            ["nbf"] = iat, ["sub"] = $"system:serviceaccount:{ns}:{serviceAccount}",
        });
    }

    // ---- store access for assertions and seeding ----

    private Store.ResourceType TypeOf(string apiVersion, string kind) =>
        _rt.Registry.FindByKind(apiVersion, kind) ?? throw new ArgumentException($"the cluster does not serve {apiVersion} {kind}");

    /// <summary>A copy of a stored object (apiVersion as asked), or null.</summary>
    public JsonObject? GetObject(string apiVersion, string kind, string? ns, string name)
    {
        var t = TypeOf(apiVersion, kind);
        var o = _rt.Store.Get(t.GroupResource, t.Namespaced ? ns : null, name);
        if (o is null) return null;
        var copy = (JsonObject)o.DeepClone();
        copy["apiVersion"] = apiVersion;
        return copy;
    }

    /// <summary>Copies of the stored objects of a kind, in one namespace or all.</summary>
    public IReadOnlyList<JsonObject> ListObjects(string apiVersion, string kind, string? ns = null)
    {
        var t = TypeOf(apiVersion, kind);
        return _rt.Store.List(t.GroupResource, t.Namespaced ? ns : null).Items.Select(o =>
        {
            var copy = (JsonObject)o.DeepClone();
            copy["apiVersion"] = apiVersion;
            return copy;
        }).ToList();
    }

    /// <summary>
    /// The stored objects of a kind, not copied (stored objects are never mutated after commit; do not mutate them):
    /// the simulated istiod and kubelet read them for every answer, and copies (249 kubeconfigs per clusterz answer,
    /// every cluster's gateway Services per probe line at 250 clusters) were most of the lab's cost (docs/design/scale.md).
    /// </summary>
    internal IReadOnlyList<JsonObject> StoredObjects(string apiVersion, string kind, string? ns)
    {
        var t = TypeOf(apiVersion, kind);
        return _rt.Store.List(t.GroupResource, t.Namespaced ? ns : null).Items;
    }

    /// <summary>Raised after each committed write, outside the store lock, on the writer's thread: handlers must not block.</summary>
    internal event Action<Store.StoreEvent>? Changed
    {
        add => _rt.Store.Changed += value;
        remove => _rt.Store.Changed -= value;
    }

    /// <summary>Creates or unconditionally replaces an object through the API rules (defaults, validation, controllers).</summary>
    public JsonObject PutObject(JsonObject obj) => (JsonObject)_seeder.Upsert(obj).Body!;

    /// <summary>Server-side apply as <paramref name="fieldManager"/> with force.</summary>
    public JsonObject ApplyObject(JsonObject obj, string fieldManager = "lab-test") => _seeder.Apply(obj, fieldManager);

    /// <summary>Removes an object at once (no finalizers, no cascade). False if it did not exist.</summary>
    public bool DeleteObject(string apiVersion, string kind, string? ns, string name)
    {
        var t = TypeOf(apiVersion, kind);
        return _rt.Store.Transact(() => _rt.Store.Remove(t.GroupResource, t.Namespaced ? ns : null, name)) is not null;
    }

    /// <summary>The cluster's resourceVersion counter.</summary>
    public long Revision => _rt.Store.Revision;

    /// <summary>
    /// A GET that a simulated pod sends to this API server with <paramref name="bearerToken"/>: its status code, or null
    /// when the server reset the connection (<see cref="PodNetworkRequest"/>).
    /// </summary>
    internal Task<int?> GetFromPodAsync(string pathAndQuery, string? bearerToken, CancellationToken ct) =>
        PodNetworkRequest.SendAsync(_pipeline!.HandleAsync, "GET", pathAndQuery, bearerToken, _rt.ServerAddress ?? "", ct);

    /// <summary>An HttpClient that trusts this cluster's CA and sends <paramref name="token"/> (the admin token by default; "" for none).</summary>
    public HttpClient CreateHttpClient(string? token = null)
    {
        var ca = X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            if (cert is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Server) };
        token ??= AdminToken;
        if (token.Length > 0) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    // ---- reset (docs/design/lab-reuse.md) ----

    private (Store.StoreCheckpoint Store, Func<LabExecRequest, CancellationToken, Task<LabExecResult>>? Exec,
        Func<LabProxyRequest, CancellationToken, Task<LabExecResult?>>? Proxy, TimeSpan TokenDelay, TimeSpan PodDelay)? _checkpoint;

    /// <summary>Waits until the controllers have settled, then remembers this state for <see cref="ResetAsync"/>.</summary>
    public async Task CheckpointAsync(CancellationToken ct = default)
    {
        await _rt.SettleAsync(ct);
        _checkpoint = (_rt.Store.Checkpoint(), _rt.ExecHandler, _rt.ProxyHandler, _rt.TokenControllerDelay, _rt.PodStartDelay);
    }

    /// <summary>
    /// Back to the last checkpoint: objects (and the CRDs served), faults (unpullable images included), token
    /// revocations, the request log and its counters, the load balancer and controller timing (pod start too), the exec
    /// and pods/proxy handlers. Controller work scheduled before is dropped. Users and
    /// tokens issued since stay valid only where the restored objects still back them (docs/design/lab-reuse.md).
    /// </summary>
    public Task ResetAsync(CancellationToken ct = default)
    {
        var saved = _checkpoint ?? throw new InvalidOperationException("CheckpointAsync was not called");
        return _rt.QuiesceAndAsync(() =>
        {
            _rt.Store.Restore(saved.Store);
            _rt.Registry.ResetCrds(_rt.Store.List("customresourcedefinitions.apiextensions.k8s.io", null).Items
                .Select(crd => ((string)crd["metadata"]!["name"]!, crd)));
            ClearFaults();
            _rt.RequestLog.Clear();
            _rt.LoadBalancer.Delay = Options.LoadBalancerDelay;
            _rt.LoadBalancer.Never = Options.LoadBalancerNever;
            _rt.DeploymentReadyDelay = Options.DeploymentReadyDelay;
            _rt.TokenControllerDelay = saved.TokenDelay;
            _rt.PodStartDelay = saved.PodDelay;
            _rt.ExecHandler = saved.Exec;
            _rt.ProxyHandler = saved.Proxy;
        }, ct);
    }

    internal ClusterRuntime Runtime => _rt;
    internal Seeder Seeder => _seeder;

    private int _disposed;

    /// <summary>Stops the cluster; safe to call twice (a test may stop one cluster early to make it unreachable).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _ca.Dispose();
        _rt.Dispose();
        _stopping.Dispose();
    }
}
