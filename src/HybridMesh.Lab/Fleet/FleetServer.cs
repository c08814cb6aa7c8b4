using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HybridMesh.Lab.Fleet;

/// <summary>
/// A simulated Google fleet on http://127.0.0.1:&lt;random port&gt;/: Cloud Resource Manager v3 projects.get, GKE
/// (container v1) clusters.get, GKE Hub v1 memberships get/list/create and operations.get, and an OAuth2 token
/// endpoint for the service-account JWT-bearer grant, with Google's JSON shapes and error envelope (see
/// docs/design/google-rest.md). Point the module at it with HYBRIDMESH_GOOGLE_API_ENDPOINT = <see cref="Url"/>.
/// Out-of-process tests steer it through POST/DELETE {Url}_lab/faults and GET/DELETE {Url}_lab/requests.
/// </summary>
public sealed class FleetServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FleetState _state = new();
    private readonly FleetTokens _tokens;
    private readonly FleetOptions _options;
    private readonly object _logGate = new();
    private readonly List<FleetRequest> _log = [];

    private FleetServer(WebApplication app, FleetOptions options)
    {
        _app = app;
        _options = options;
        _tokens = new FleetTokens(options);
    }

    /// <summary>Base URL, ending with '/', e.g. http://127.0.0.1:49152/.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The OAuth2 token endpoint (token_uri of the service-account file).</summary>
    public Uri TokenUri => new(Url, "token");

    /// <summary>An access token the fleet accepts for as long as it runs (for -AccessToken).</summary>
    public string AccessToken => _tokens.StaticToken;

    public FleetFaults Faults { get; } = new();

    /// <summary>Every request answered so far, oldest first (control requests to /_lab are not logged).</summary>
    public IReadOnlyList<FleetRequest> RequestLog
    {
        get
        {
            lock (_logGate)
            {
                return _log.ToArray();
            }
        }
    }

    public static async Task<FleetServer> StartAsync(FleetOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new FleetOptions();
        var builder = Server.LabWebHost.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FleetServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        server.Url = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>A project Resource Manager knows. <paramref name="denied"/>: every call about it answers 403.</summary>
    public void AddProject(string projectId, long number, bool denied = false) =>
        _state.AddProject(projectId, number, denied);

    /// <summary>A GKE cluster that clusters.get returns.</summary>
    public void AddGkeCluster(string project, string location, string name, string network,
        bool privateEndpoint = false, bool privateNodes = false, string? endpoint = null, string? fleetProject = null,
        string? fleetMembership = null, IReadOnlyDictionary<string, string>? resourceLabels = null,
        bool workloadIdentity = true, bool dnsOnly = false, string? networkProject = null) =>
        _state.AddCluster(new LabCluster
        {
            Project = project,
            Location = location,
            Name = name,
            Network = network,
            PrivateEndpoint = privateEndpoint,
            PrivateNodes = privateNodes,
            Endpoint = endpoint ?? "203.0.113.10",
            FleetProject = fleetProject,
            FleetMembership = fleetMembership,
            ResourceLabels = resourceLabels ?? new Dictionary<string, string>(),
            WorkloadIdentity = workloadIdentity,
            DnsOnly = dnsOnly,
            NetworkProject = networkProject,
        });

    /// <summary>
    /// Changes what clusters.get answers for a GKE cluster already known (network, Shared VPC host project, private
    /// endpoint, private nodes); null leaves a field as it is. False when the cluster is unknown.
    /// </summary>
    public bool UpdateGkeCluster(string project, string location, string name, string? network = null,
        string? networkProject = null, bool? privateEndpoint = null, bool? privateNodes = null)
    {
        if (_state.FindCluster(project, location, name) is not { } c)
        {
            return false;
        }

        _state.AddCluster(new LabCluster
        {
            Project = c.Project, Location = c.Location, Name = c.Name, Network = network ?? c.Network, Subnetwork = c.Subnetwork,
            NetworkProject = networkProject ?? c.NetworkProject, Endpoint = c.Endpoint,
            PrivateEndpoint = privateEndpoint ?? c.PrivateEndpoint, PrivateNodes = privateNodes ?? c.PrivateNodes, Status = c.Status,
            FleetProject = c.FleetProject, FleetMembership = c.FleetMembership, ResourceLabels = c.ResourceLabels,
            WorkloadIdentity = c.WorkloadIdentity, DnsOnly = c.DnsOnly,
        });
        return true;
    }

    /// <summary>
    /// What Resource Manager v1 getEffectiveOrgPolicy answers for constraints/compute.restrictLoadBalancerCreationForTypes
    /// on a project: <paramref name="listPolicy"/> (e.g. {"deniedValues": ["in:EXTERNAL"]}), none when null;
    /// <paramref name="readDenied"/>: 403, as for a caller without orgpolicy.policy.get.
    /// </summary>
    public void SetLoadBalancerPolicy(string projectId, JsonObject? listPolicy, bool readDenied = false) =>
        _state.SetLoadBalancerPolicy(projectId, listPolicy, readDenied);

    /// <summary>
    /// memberships.list over all locations ("-") leaves out these locations and names them in "unreachable", as
    /// GKE Hub does when a region does not answer. Call with nothing to clear.
    /// </summary>
    public void SetUnreachableLocations(params string[] locations) => _state.SetUnreachable(locations);

    /// <summary>
    /// When true, a create replayed with a known requestId answers 409 ALREADY_EXISTS (the membership it made
    /// exists) instead of the same operation; GKE Hub may answer either way.
    /// </summary>
    public bool ReplayedCreatesConflict
    {
        get => _state.ReplayedCreatesConflict;
        set => _state.ReplayedCreatesConflict = value;
    }

    /// <summary>
    /// An existing fleet membership. Give <paramref name="gkeResourceLink"/> for a GKE member
    /// (//container.googleapis.com/projects/P/locations/L/clusters/C), or <paramref name="onPremResourceLink"/>
    /// and <paramref name="externalId"/> (kube-system UID) for an on-premises one.
    /// </summary>
    public void AddMembership(string project, string location, string membershipId, string? gkeResourceLink = null,
        string? externalId = null, string state = "READY", string? onPremResourceLink = null, string? issuer = null)
    {
        var now = FleetState.Timestamp(DateTimeOffset.UtcNow);
        var membership = new JsonObject
        {
            ["name"] = $"projects/{project}/locations/{location}/memberships/{membershipId}",
            ["state"] = new JsonObject { ["code"] = state },
            ["createTime"] = now,
            ["updateTime"] = now,
            ["uniqueId"] = Guid.NewGuid().ToString(),
        };
        if (gkeResourceLink is not null)
        {
            membership["endpoint"] = new JsonObject
            {
                ["gkeCluster"] = new JsonObject { ["resourceLink"] = gkeResourceLink },
            };
        }
        else if (onPremResourceLink is not null)
        {
            membership["endpoint"] = new JsonObject
            {
                ["onPremCluster"] = new JsonObject { ["resourceLink"] = onPremResourceLink, ["clusterType"] = "USER" },
            };
        }

        if (externalId is not null)
        {
            membership["externalId"] = externalId;
        }

        if (issuer is not null)
        {
            membership["authority"] = new JsonObject { ["issuer"] = issuer };
        }

        _state.PutMembership(membership);
    }

    /// <summary>
    /// Writes a service-account key file whose token_uri is this fleet's /token, so Google.Apis.Auth's ADC flow gets
    /// its tokens here and never from Google. The key is generated at start; the file is readable by the owner only.
    /// </summary>
    public string WriteServiceAccountCredentialFile(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, _tokens.ServiceAccountJson(TokenUri));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return full;
    }

    /// <summary>Generates the service-account key now rather than at the first credential file or token request.</summary>
    public void PrepareKey() => _tokens.PrepareKey();

    /// <summary>Tokens issued by /token stop working (the static <see cref="AccessToken"/> keeps working).</summary>
    public void ExpireIssuedTokens() => _tokens.ExpireIssuedTokens();

    private FleetState.FleetCheckpoint? _checkpoint;

    /// <summary>Remembers what the fleet knows now; <see cref="Reset"/> goes back to it.</summary>
    public void Checkpoint() => _checkpoint = _state.Checkpoint();

    /// <summary>Back to the last <see cref="Checkpoint"/>: state, faults and request log (issued tokens stay valid).</summary>
    public void Reset()
    {
        _state.Restore(_checkpoint ?? throw new InvalidOperationException("Checkpoint() was not called"));
        Faults.Clear();
        ClearRequestLog();
    }

    public void ClearRequestLog()
    {
        lock (_logGate)
        {
            _log.Clear();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_lab/", StringComparison.Ordinal))
        {
            await FleetControl.HandleAsync(context, path, Faults, this).ConfigureAwait(false);
            return;
        }

        var segments = path.Trim('/').Split('/');
        var api = FleetRoutes.Classify(segments, context.Request.Method);
        var faulted = false;
        var dropped = false;
        try
        {
            var latency = Faults.LatencyFor(api);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
            }

            var fault = Faults.Take(api);
            if (fault is { AfterDispatch: false })
            {
                faulted = true;
                if (fault.Drop)
                {
                    dropped = true;
                    context.Abort();
                    return;
                }

                await FleetFaultAnswers.WriteAsync(context, fault, api, FleetFaultAnswers.Consumer(_state, segments))
                    .ConfigureAwait(false);
                return;
            }

            if (api == FleetApi.Token)
            {
                await HandleTokenAsync(context).ConfigureAwait(false);
                return;
            }

            if (!_tokens.IsValid(BearerToken(context.Request)))
            {
                context.Response.Headers.WWWAuthenticate =
                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
                await GoogleErrors.WriteAsync(context, 401).ConfigureAwait(false);
                return;
            }

            if (Faults.IsDisabled(api))
            {
                var (service, title) = FleetFaultAnswers.ServiceOf(api);
                await GoogleErrors.WriteServiceDisabledAsync(context, service, title,
                    FleetFaultAnswers.Consumer(_state, segments)).ConfigureAwait(false);
                return;
            }

            var routes = new FleetRoutes(_state, _options);
            if (fault is { AfterDispatch: true })
            {
                // Carry the request out, then lose the answer: it goes to a buffer and the connection is closed.
                faulted = dropped = true;
                context.Response.Body = new MemoryStream();
                await routes.DispatchAsync(context, api, segments).ConfigureAwait(false);
                context.Abort();
                return;
            }

            await routes.DispatchAsync(context, api, segments).ConfigureAwait(false);
        }
        finally
        {
            lock (_logGate)
            {
                _log.Add(new FleetRequest(DateTimeOffset.UtcNow, api, context.Request.Method,
                    path + context.Request.QueryString, dropped ? 0 : context.Response.StatusCode, faulted));
            }
        }
    }

    private async Task HandleTokenAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.HasFormContentType)
        {
            await GoogleErrors.WriteOAuthAsync(context, 400, "invalid_request", "Expected a form POST.")
                .ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (token, error, description) = _tokens.Exchange(form["grant_type"], form["assertion"], TokenUri);
        if (token is null)
        {
            await GoogleErrors.WriteOAuthAsync(context, 400, error!, description!).ConfigureAwait(false);
            return;
        }

        await GoogleErrors.WriteJsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = (int)_options.TokenLifetime.TotalSeconds - 1,
            ["token_type"] = "Bearer",
        }).ConfigureAwait(false);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _tokens.Dispose();
    }
}
