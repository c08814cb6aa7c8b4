using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>
/// One cluster as the link tools read it: its session, Istio facts, and one list of the Secrets in istio-system
/// (remote secrets and reader token Secrets both come from it). A cluster that cannot be read has <see cref="Error"/>.
/// </summary>
internal sealed class LinkCluster : IDisposable
{
    private const string Ns = IstioNames.SystemNamespace;

    private LinkCluster(MeshTarget target) => Target = target;

    public MeshTarget Target { get; }
    public string Context => Target.Context;
    public KubeSession? Session { get; private set; }
    public ClusterDetails? Details { get; private set; }
    public MeshException? Error { get; private set; }

    /// <summary>Secrets labelled istio/multiCluster=true.</summary>
    public IReadOnlyList<JsonObject> RemoteSecrets { get; private set; } = [];

    /// <summary>Filled reader token Secrets, newest first; null when Secrets may not be listed (then no remote secret either).</summary>
    public IReadOnlyList<ReaderTokenSecret>? TokenSecrets { get; private set; }

    /// <summary>istiod's CLUSTER_ID, or the context while it is unknown.</summary>
    public string ClusterName => Details?.IstioClusterName is { Length: > 0 } name ? name : Context;

    public bool HasClusterName => Details?.IstioClusterName is { Length: > 0 };

    /// <summary>First line of why this cluster could not be read, or null.</summary>
    public string? Down => Error is null ? null : MeshErrors.FirstLine(Error.Message);

    public static async Task<IReadOnlyList<LinkCluster>> ReadAllAsync(IReadOnlyList<MeshTarget> targets, KubeSessionOptions options,
        int throttle, IMeshSink sink, CancellationToken ct)
    {
        var clusters = targets.Select(t => new LinkCluster(t)).ToArray();
        var kube = options with { Sink = options.Sink ?? sink };
        await BoundedFanOut.RunAsync(clusters, throttle, sink, 1, "Reading clusters", c => c.Context,
            (cluster, token) => cluster.ReadAsync(kube, sink, token), ct).ConfigureAwait(false);
        return clusters;
    }

    private async Task<LinkCluster> ReadAsync(KubeSessionOptions options, IMeshSink sink, CancellationToken ct)
    {
        try
        {
            Session = KubeSession.Open(Target.Cluster, options);
            // Independent reads go out together; the facts are kept even when Secrets turn out to be forbidden.
            var details = ClusterInspector.InspectAsync(Session, sink, ct);
            var secrets = Session.ListAsync("v1", "Secret", Ns, cancellationToken: ct);
            try
            {
                await Task.WhenAll(details, secrets).ConfigureAwait(false);
            }
            catch (MeshException)
            {
                // Each task's own failure is observed below.
            }

            Details = await details.ConfigureAwait(false);
            var all = await secrets.ConfigureAwait(false);
            RemoteSecrets = all.Where(s => ClusterSnapshotText(s["metadata"]?["labels"]?[RemoteSecretRenderer.MultiClusterLabel]) == "true").ToArray();
            TokenSecrets = ReaderTokens.Filled(all);
        }
        catch (MeshException error)
        {
            if (error is KubeUnreachableException)  // TLS failures are a kind of it
            {
                sink.Warning($"Context '{Context}' is unreachable; links to and from it are reported as such: {MeshErrors.FirstLine(error.Message)}");
            }
            else
            {
                sink.Error(error);
            }

            Error = error;
        }

        return this;
    }

    /// <summary>
    /// Waits (bounded, with backoff) until the token controller has filled <paramref name="name"/>, as istioctl's
    /// 5 × 1 s poll does; the controller usually needs milliseconds (docs/design/link-lifecycle.md).
    /// </summary>
    public async Task<ReaderCredential> WaitForTokenAsync(string name, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        for (var delay = 50; ; delay = Math.Min(1000, delay * 2))
        {
            var secret = await Session!.GetAsync("v1", "Secret", Ns, name, ct).ConfigureAwait(false);
            if (CredentialOf(secret, created: true) is { } credential)
            {
                return credential;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw MeshErrors.MeshReaderTokenNotIssued(Context, name, wait);
            }

            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The CA and token a filled token Secret holds, or null while it is empty.</summary>
    public static ReaderCredential? CredentialOf(JsonObject? secret, bool created) =>
        ClusterSnapshotText(secret?["data"]?["token"]) is { Length: > 0 } token &&
        ClusterSnapshotText(secret?["data"]?["ca.crt"]) is { Length: > 0 } ca
            ? new ReaderCredential(Convert.FromBase64String(ca), Encoding.UTF8.GetString(Convert.FromBase64String(token)), created)
            : null;

    /// <summary>A MeshMember over this session, for the link proof New-Mesh uses (it only needs the session and target).</summary>
    public MeshMember AsProbeSubject() => new(Target) { Session = Session };

    private static string? ClusterSnapshotText(JsonNode? node) => Check.ClusterSnapshot.Text(node);

    public void Dispose() => Session?.Dispose();
}
