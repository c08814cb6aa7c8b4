using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// One kubeconfig context's API server: KubernetesClient underneath (TLS, credentials, exec plugins), with the
/// retry handler in its pipeline, a deadline on every request, discovery cached for the session's life, and every
/// failure turned into a MeshException whose target is the context. Its public surface is BCL and Models only
/// (objects are System.Text.Json nodes). Not shared across runspaces; create one per cluster per command.
/// </summary>
internal sealed partial class KubeSession : IDisposable
{
    private readonly Kubernetes _client;
    private readonly KubernetesClientConfiguration _config;
    private readonly KubeSessionOptions _options;
    private readonly string _authentication;
    private readonly string? _execCommand;
    private readonly KubeDiscovery _discovery;

    internal KubeSession(string context, KubernetesClientConfiguration config, KubeSessionOptions options,
        string authentication, string? execCommand = null)
    {
        Context = context;
        _config = config;
        _options = options;
        _authentication = authentication;
        _execCommand = execCommand;
        config.HttpClientTimeout = options.Timeout;
        config.UserAgent = "hybridmesh/" + typeof(KubeSession).Assembly.GetName().Version?.ToString(3);
        var retry = new KubeRetryHandler(
            new KubeRetryPolicy
            {
                MaxAttempts = Math.Max(1, options.MaxAttempts),
                BaseDelay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                Budget = options.Timeout,
            },
            options.Sink is { } sink ? message => sink.Verbose($"[{context}] {message}") : null);
        _client = new Kubernetes(config, retry);
        Server = _client.BaseUri;
        _discovery = new KubeDiscovery(this);
    }

    /// <summary>The kubeconfig context this session talks to; the target of every error it raises.</summary>
    public string Context { get; }

    /// <summary>The API server's base address.</summary>
    public Uri Server { get; }

    public TimeSpan Timeout => _options.Timeout;

    /// <summary>The typed client, for Engine code that needs what the generic operations do not cover (exec).</summary>
    internal Kubernetes Client => _client;

    /// <summary>A session for a cluster from Get-MeshCluster (its kubeconfig files and context).</summary>
    public static KubeSession Open(MeshCluster cluster, KubeSessionOptions? options = null) =>
        Open(cluster.Kubeconfig, cluster.Context, options);

    /// <summary>
    /// A session for <paramref name="context"/> in the merged <paramref name="kubeconfig"/> files (empty: $KUBECONFIG,
    /// else ~/.kube/config). Runs the context's exec credential plugin, if any, as kubectl would.
    /// </summary>
    public static KubeSession Open(IReadOnlyList<string> kubeconfig, string context, KubeSessionOptions? options = null)
    {
        var set = ClusterDiscovery.LoadSet(new ClusterQuery { Kubeconfig = kubeconfig });
        var definition = set.FindContext(context) ?? throw MeshErrors.ContextNotFound(context, set.Files, set.ContextNames);
        var user = set.FindUser(definition.ContextDetails?.User);
        var exec = CheckCredentials(context, user, set.ContextOrigin.GetValueOrDefault(context));
        var authentication = ClusterDiscovery.DescribeAuthentication(user);
        if (exec is not null && user?.UserCredentials is not null)
        {
            // The plugin's credential replaces the exec stanza: in a private parse, never in the shared cache.
            set = KubeconfigSet.LoadPrivate(set.Files);
            definition = set.FindContext(context)!;
            user = set.FindUser(definition.ContextDetails?.User);
        }

        if (exec is not null && user?.UserCredentials is { } credentials)
        {
            // The plugin runs here, its streams captured, instead of inside KubernetesClient (ExecCredentialRunner).
            UseExecCredential(context, credentials, exec, set.ContextOrigin.GetValueOrDefault(context),
                set.FindCluster(definition.ContextDetails?.Cluster)?.ClusterEndpoint);
        }

        KubernetesClientConfiguration config;
        try
        {
            config = set.BuildClientConfiguration(context);
        }
        catch (KubeConfigException ex) when (KubeconfigSet.IsExecFailure(ex))
        {
            throw ExecFailure(context, exec?.Command ?? "exec plugin", ex);
        }

        var clusterName = definition.ContextDetails?.Cluster;
        if (KubeconfigProxies.Find(set.Files, clusterName) is { } proxyUrl)
        {
            var proxy = KubeconfigProxies.Create(proxyUrl, set.ContextOrigin.GetValueOrDefault(context, set.Files[0]));
            config.FirstMessageHandlerSetup = handler =>
            {
                handler.Proxy = proxy;
                handler.UseProxy = true;
            };
        }

        return new KubeSession(context, config, options ?? new KubeSessionOptions(),
            authentication, exec?.Command);
    }

    /// <summary>
    /// Problems KubernetesClient would report vaguely (or as a bare Exception), found first: a removed
    /// auth-provider, or an exec plugin that is not installed.
    /// </summary>
    private static ExternalExecution? CheckCredentials(string context, User? user, string? kubeconfigFile)
    {
        var credentials = user?.UserCredentials;
        if (credentials?.AuthProvider is { Name: "gcp" or "azure" } provider)
        {
            throw MeshErrors.AuthProviderUnsupported(context, provider.Name);
        }

        if (credentials?.ExternalExecution is { Command: { Length: > 0 } command } exec)
        {
            var directory = kubeconfigFile is null ? null : Path.GetDirectoryName(Path.GetFullPath(kubeconfigFile));
            if (ExecPluginLocator.Find(command, directory) is null)
            {
                throw MeshErrors.ExecPluginNotFound(context, Path.GetFileName(command), exec.InstallHint);
            }

            return exec;
        }

        return null;
    }

    /// <summary>Runs the plugin and puts its credential in place of the exec stanza (this set is private to the session).</summary>
    private static void UseExecCredential(string context, UserCredentials credentials, ExternalExecution exec,
        string? kubeconfigFile, ClusterEndpoint? cluster)
    {
        var directory = kubeconfigFile is null ? null : Path.GetDirectoryName(Path.GetFullPath(kubeconfigFile));
        var path = ExecPluginLocator.Find(exec.Command, directory) ?? exec.Command;
        var credential = ExecCredentialRunner.Run(context, exec, path, cluster: cluster);
        credentials.ExternalExecution = null;
        if (credential.Token is not null)
        {
            credentials.Token = credential.Token;
        }
        else
        {
            credentials.ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credential.ClientCertificatePem!));
            credentials.ClientKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credential.ClientKeyPem!));
        }
    }

    /// <summary>A plugin failure in words that never repeat the plugin's output (it may hold a token).</summary>
    internal static MeshException ExecFailure(string context, string command, KubeConfigException ex)
    {
        var message = ex.Message;
        var detail =
            message.Contains("due to timeout", StringComparison.Ordinal)
                ? $"it did not finish within {KubernetesClientConfiguration.ExecTimeout.TotalSeconds:0} s."
            : message.Contains("deserialization", StringComparison.Ordinal)
                ? "its output is not an ExecCredential (it probably failed; run it by hand to see its error)."
            : message.Contains("missing token", StringComparison.Ordinal)
                ? "its output holds neither a token nor a client certificate."
            : message.Contains("does not match", StringComparison.Ordinal)
                ? "its ExecCredential apiVersion differs from the one the kubeconfig asks for."
            : message.StartsWith("external exec failed due to: ", StringComparison.Ordinal)
                ? MeshErrors.FirstLine(message["external exec failed due to: ".Length..])
                : "it could not be run.";
        return MeshErrors.ExecPluginFailed(context, Path.GetFileName(command), detail, null);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// A request to this API server as every call sends it: JSON, HTTP/2 unless the kubeconfig disables it, the
    /// kubeconfig's TLS server name as Host, and whether the retry handler may send it again.
    /// </summary>
    private HttpRequestMessage NewRequest(HttpMethod method, string pathAndQuery, HttpContent? content, bool idempotent)
    {
        var request = new HttpRequestMessage(method, new Uri(_client.BaseUri, pathAndQuery.TrimStart('/')))
        {
            Content = content,
            Version = _config.DisableHttp2 ? HttpVersion.Version11 : HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Options.Set(KubeRetryHandler.Idempotent, idempotent);
        if (!string.IsNullOrWhiteSpace(_config.TlsServerName))
        {
            request.Headers.Host = _config.TlsServerName;
        }

        return request;
    }

    /// <summary>
    /// Sends one request (the retry handler may send it several times) within <see cref="Timeout"/>. Any HTTP status
    /// comes back as a <see cref="KubeResponse"/>; transport failures and timeouts become ApiServerUnreachable.
    /// </summary>
    internal async Task<KubeResponse> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content,
        bool idempotent, CancellationToken cancellationToken, bool listPage = false, bool skipBookkeeping = false,
        bool discardSuccessBody = false)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        using var request = NewRequest(method, pathAndQuery, content, idempotent);
        var started = Stopwatch.GetTimestamp();
        // A debug line per request is only made when it would be shown (IMeshSink.ShowsDebug; docs/design/scale.md).
        void Debugged(HttpResponseMessage response)
        {
            if (_options.Sink is { ShowsDebug: true } sink)
            {
                sink.Debug($"[{Context}] {method} {request.RequestUri?.PathAndQuery} → {(int)response.StatusCode} " +
                           $"({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms, {Attempts(request)} attempt(s))");
            }
        }

        try
        {
            if (_client.Credentials is { } credentials)
            {
                // Adds the Authorization header; for exec plugins this may run the plugin to refresh the token.
                await credentials.ProcessHttpRequestAsync(request, deadline.Token).ConfigureAwait(false);
            }

            // A list is read from the stream as it arrives (KubeListPage); any other answer is buffered whole.
            using var response = await _client.HttpClient
                .SendAsync(request, listPage || discardSuccessBody ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
                    deadline.Token).ConfigureAwait(false);
            if (listPage && response.IsSuccessStatusCode)
            {
                var page = await KubeListPage.ReadAsync(response.Content, skipBookkeeping, deadline.Token).ConfigureAwait(false);
                Debugged(response);
                return new KubeResponse(response.StatusCode, response.ReasonPhrase, [], Attempts(request)) { Page = page };
            }

            if (discardSuccessBody && response.IsSuccessStatusCode)
            {
                await DrainAsync(response.Content, deadline.Token).ConfigureAwait(false);
                Debugged(response);
                return new KubeResponse(response.StatusCode, response.ReasonPhrase, [], Attempts(request));
            }

            // Never a string: a fleet's Secret lists are megabytes, and a UTF-16 copy of each, then the UTF-8 copy
            // parsing needs again, made most of a 250-cluster run's large-object garbage (docs/design/scale.md). A large
            // successful answer is parsed straight from the buffered content; anything else is kept as bytes.
            var parsed = response.IsSuccessStatusCode && response.Content.Headers.ContentLength > LargeAnswer
                ? await ParseLargeAsync(response.Content, deadline.Token).ConfigureAwait(false)
                : null;
            var body = parsed is null ? await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false) : [];
            Debugged(response);
            return new KubeResponse(response.StatusCode, response.ReasonPhrase, body, Attempts(request)) { Parsed = parsed };
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw MeshErrors.ApiServerUnreachable(Context, Server.ToString(),
                $"no answer within {_options.Timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.SecureConnectionError ||
                                              ex.InnerException is AuthenticationException)
        {
            throw MeshErrors.ApiServerTlsFailed(Context, Server.ToString(),
                MeshErrors.FirstLine((ex.InnerException ?? ex).Message), ex);
        }
        catch (HttpRequestException ex)
        {
            throw MeshErrors.ApiServerUnreachable(Context, Server.ToString(), Attempted(request, ex), ex);
        }
        catch (IOException ex)
        {
            throw MeshErrors.ApiServerUnreachable(Context, Server.ToString(), Attempted(request, ex), ex);
        }
        catch (KubeConfigException ex) when (KubeconfigSet.IsExecFailure(ex))
        {
            throw ExecFailure(Context, _execCommand ?? "exec plugin", ex);
        }
    }

    /// <summary>
    /// Where drained answers go. Their bytes are never looked at, so every drain may write into this one buffer at the
    /// same time. A pooled buffer per drain ran the shared pool dry with thousands of writes in flight at 250 clusters:
    /// each drain then allocated a fresh 16 KB array (docs/design/scale.md, "Messages nobody sees").
    /// </summary>
    private static readonly byte[] Discard = new byte[16 * 1024];

    /// <summary>Reads an answer nobody needs to its end (the connection stays usable), keeping none of it.</summary>
    private static async Task DrainAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        while (await stream.ReadAsync(Discard, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    private static int Attempts(HttpRequestMessage request) =>
        request.Options.TryGetValue(KubeRetryHandler.Attempts, out var tries) ? tries : 1;

    /// <summary>Answers above this size (the large-object threshold) are parsed from the stream, not copied first.</summary>
    private const int LargeAnswer = 64 * 1024;

    private static async Task<JsonNode?> ParseLargeAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return JsonNode.Parse(stream);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON after all: kept as bytes, and whoever parses it reports it as before.
            return null;
        }
    }

    private static string Attempted(HttpRequestMessage request, Exception ex)
    {
        var attempts = request.Options.TryGetValue(KubeRetryHandler.Attempts, out var tries) ? tries : 1;
        // .NET often repeats the socket error in the outer message ("Connection refused (host:port)"); say it once.
        var inner = ex.InnerException is { } cause && !ex.Message.Contains(cause.Message, StringComparison.Ordinal)
            ? $" ({MeshErrors.FirstLine(cause.Message)})"
            : "";
        return $"{MeshErrors.FirstLine(ex.Message)}{inner}; {attempts} attempt(s).";
    }

    /// <summary>The MeshException for an unsuccessful answer to <paramref name="operation"/>.</summary>
    internal MeshException Failure(KubeResponse response, KubeOperation operation)
    {
        var status = KubeStatus.Parse((int)response.Status, response.ReasonPhrase, response.Body);
        var what = operation.Describe();
        return (int)response.Status switch
        {
            401 => MeshErrors.KubeUnauthorized(Context, _authentication),
            403 => MeshErrors.KubeForbidden(Context, operation.RbacVerb,
                operation.Resource?.QualifiedPlural ?? operation.Path, operation.Namespace, status.Message),
            404 => MeshErrors.KubeNotFound(Context, what, status.Message),
            409 when status.Reason == "AlreadyExists" => MeshErrors.KubeAlreadyExists(Context, what, status.Message),
            409 => MeshErrors.KubeConflict(Context, what, status.Message, operation.Verb == "apply"),
            422 => MeshErrors.KubeInvalid(Context, what, status.Message),
            429 or >= 500 => MeshErrors.KubeServerError(Context, what, status.Code, status.Message, response.Attempts),
            _ => MeshErrors.KubeApiError(Context, what, status.Code, status.Reason, status.Message),
        };
    }

    /// <summary>GET of a path outside the resource tree (/version, discovery). Null on 404.</summary>
    public async Task<JsonNode?> GetPathAsync(string path, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, new KubeOperation("get", null, null, null, path));
        }

        return response.ParseJson();
    }

    /// <summary>The server's gitVersion (GET /version), e.g. "v1.32.13".</summary>
    public async Task<string> GetServerVersionAsync(CancellationToken cancellationToken = default)
    {
        var version = await GetPathAsync("/version", cancellationToken).ConfigureAwait(false);
        return version?["gitVersion"]?.GetValue<string>() ?? "";
    }

    /// <summary>Where objects of <paramref name="kindOrPlural"/> in <paramref name="apiVersion"/> live (discovery, cached).</summary>
    public Task<KubeResourceInfo> ResolveAsync(string apiVersion, string kindOrPlural, CancellationToken cancellationToken = default) =>
        _discovery.ResolveAsync(apiVersion, kindOrPlural, cancellationToken);

    /// <summary>
    /// The versions the server serves for an API group, preferred first, e.g. ["v1", "v1beta1", "v1alpha3"] for
    /// networking.istio.io; empty when the group is not served. "" is the core group.
    /// </summary>
    public Task<IReadOnlyList<string>> ServedVersionsAsync(string group, CancellationToken cancellationToken = default) =>
        _discovery.ServedVersionsAsync(group, cancellationToken);
}

/// <summary>One HTTP answer, read whole: UTF-8 bytes (or, when large and successful, already parsed); <see cref="Body"/> decodes the bytes for error messages.</summary>
internal sealed record KubeResponse(HttpStatusCode Status, string? ReasonPhrase, byte[] Content, int Attempts)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public string Body => System.Text.Encoding.UTF8.GetString(Content);

    /// <summary>A successful list answer read item by item (<see cref="KubeListPage"/>); null when it was no JSON object.</summary>
    public KubeListPage? Page { get; init; }

    /// <summary>A large answer parsed while it was read (the same tree on every <see cref="ParseJson"/>).</summary>
    public JsonNode? Parsed { get; init; }

    public JsonNode? ParseJson() =>
        Parsed ?? (Content.AsSpan().IndexOfAnyExcept(" \t\r\n"u8) < 0 ? null : JsonNode.Parse(Content));
}

/// <summary>What was attempted, for error messages: "apply of configmaps 'x' in namespace 'demo'".</summary>
internal sealed record KubeOperation(string Verb, KubeResourceInfo? Resource, string? Namespace, string? Name, string Path)
{
    /// <summary>The RBAC verb the server checked (apply is a patch; a GET without a name is a list).</summary>
    public string RbacVerb => Verb switch
    {
        "apply" or "merge-patch" => "patch",
        "replace" => "update",
        "get" when Name is null && Resource is not null => "list",
        _ => Verb,
    };

    public string Describe()
    {
        if (Resource is null)
        {
            return $"{Verb} of {Path}";
        }

        var text = $"{Verb} of {Resource.QualifiedPlural}";
        if (Name is not null)
        {
            text += $" '{Name}'";
        }

        if (!string.IsNullOrEmpty(Namespace) && Resource.Namespaced)
        {
            text += $" in namespace '{Namespace}'";
        }

        return text;
    }
}
