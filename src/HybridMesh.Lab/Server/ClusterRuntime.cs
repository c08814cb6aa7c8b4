using HybridMesh.Lab.Api;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Faults;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Server;

/// <summary>Everything one simulated cluster's request handling and controllers share.</summary>
internal sealed class ClusterRuntime : IDisposable
{
    public ClusterRuntime(string name, TimeProvider clock)
    {
        Name = name;
        Clock = clock;
        Store = new ObjectStore();
        Registry = new ResourceRegistry();
        Issuer = new TokenIssuer();
        Authenticator = new Authenticator(Store, Issuer, clock);
        Authorizer = new RbacAuthorizer(Store);
    }

    public string Name { get; }
    public TimeProvider Clock { get; }
    public ObjectStore Store { get; }
    public ResourceRegistry Registry { get; }
    public Allocator Allocator { get; } = new();
    public TokenIssuer Issuer { get; }
    public Authenticator Authenticator { get; }
    public RbacAuthorizer Authorizer { get; }
    public FaultInjector Faults { get; } = new();
    public RequestLog RequestLog { get; } = new();
    public LoadBalancerSettings LoadBalancer { get; } = new();
    /// <summary>PEM of the cluster CA (the API server's issuer): ca.crt in token Secrets and kube-root-ca.crt.</summary>
    public string CaCertificatePem { get; set; } = "";
    /// <summary>host:port the server listens on, for discovery's serverAddressByClientCIDRs.</summary>
    public string ServerAddress { get; set; } = "";
    /// <summary>How long after a write the Deployment controller reports the Deployment available.</summary>
    public TimeSpan DeploymentReadyDelay { get; set; } = TimeSpan.FromMilliseconds(100);
    /// <summary>How long after a token Secret is created the token controller fills it (docs/design/kube-api-answers.md §7.2: a few ms).</summary>
    public TimeSpan TokenControllerDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How long after a Pod is created directly the lab's scheduler and kubelet start it (PodController).</summary>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Images the simulated kubelet cannot pull: Pods using them stay Pending in ErrImagePull.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, bool> UnpullableImages { get; } = new(StringComparer.Ordinal);

    /// <summary>The simulated kubelet's exec (null: kubelet unreachable, as on the recorded cluster).</summary>
    public Func<LabExecRequest, CancellationToken, Task<LabExecResult>>? ExecHandler { get; set; }

    /// <summary>
    /// What the API server's proxy to a pod port gets back (pods/{name}:{port}/proxy/...): the body and status, or null
    /// when nothing answers on the pod network (then the API server answers 503 as a real one does).
    /// </summary>
    public Func<LabProxyRequest, CancellationToken, Task<LabExecResult?>>? ProxyHandler { get; set; }

    public string Now() => Api.KubeTime.Format(Clock.GetUtcNow());

    // Controller work in flight (Controllers/ControllerBase.After), so that a reset can wait until none is left.
    private CancellationTokenSource _work = new();
    private int _pendingWork;
    private volatile bool _resetting;

    /// <summary>Cancelled when a reset starts: controller work scheduled before it is dropped.</summary>
    public CancellationToken WorkToken => Volatile.Read(ref _work).Token;

    /// <summary>False while a reset runs: no new controller work is scheduled then.</summary>
    public bool AcceptsWork => !_resetting;

    public void WorkStarted() => Interlocked.Increment(ref _pendingWork);

    public void WorkEnded() => Interlocked.Decrement(ref _pendingWork);

    /// <summary>Drops scheduled controller work and waits until running work has ended; then <paramref name="restore"/>.</summary>
    public async Task QuiesceAndAsync(Action restore, CancellationToken ct)
    {
        _resetting = true;
        try
        {
            var old = Interlocked.Exchange(ref _work, new CancellationTokenSource());
            await old.CancelAsync();
            old.Dispose();
            var until = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref _pendingWork) > 0)
            {
                if (DateTime.UtcNow > until) throw new TimeoutException($"[lab {Name}] controller work did not end within 10 s of a reset");
                await Task.Delay(5, ct);
            }
            restore();
        }
        finally
        {
            _resetting = false;
        }
    }

    /// <summary>Waits until no controller work is scheduled or running (a lab settles after its start).</summary>
    public async Task SettleAsync(CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref _pendingWork) > 0 && DateTime.UtcNow < until) await Task.Delay(5, ct);
    }

    public void Dispose()
    {
        Issuer.Dispose();
        _work.Dispose();
    }
}

/// <summary>When LoadBalancer Services get an address: after a delay, or never.</summary>
public sealed class LoadBalancerSettings
{
    private volatile bool _never;
    private long _delayTicks = TimeSpan.FromMilliseconds(200).Ticks;

    public bool Never { get => _never; set => _never = value; }
    public TimeSpan Delay { get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks)); set => Interlocked.Exchange(ref _delayTicks, value.Ticks); }
    /// <summary>Base of the addresses handed out; each Service gets the next one.</summary>
    public string AddressPrefix { get; set; } = "203.0.113.";
}
