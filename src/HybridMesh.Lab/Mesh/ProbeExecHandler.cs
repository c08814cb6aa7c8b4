using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Api;

namespace HybridMesh.Lab.Mesh;

/// <summary>
/// The simulated kubelet running the module's probe command in a probe pod (`sh -c 'eval "$HYBRIDMESH_PROBE"' hybridmesh-probe T`
/// with one call per line in the container's HYBRIDMESH_PROBE_CALLS,
/// docs/design/in-cluster-probes.md): it prints what the script's curl calls would print, from the lab's network model.
/// `api|id|server|sni|kubeconfig path`: the kubeconfig is read from the Secret the pod mounts at that path; the server
/// resolves from pods to a lab cluster (its real address or a pod-only one), a partition makes it time out, a CA that is
/// not the peer's fails TLS, and otherwise GET /version and the service list really go to the peer's API server with
/// the token, answered as its own pipeline answers (<see cref="PeerListAccess.CurlAsync"/>: the first call through the
/// pipeline handed over in-process, <see cref="Server.PodNetworkRequest"/>; then per call its faults, latency and request
/// log, the authentication and RBAC decision kept), so revoked tokens, RBAC and injected faults answer as they do and
/// the peer's request log shows every call. Before linking, `api|id|server|-|-|CA variable` (Test-MeshPrerequisite):
/// the CA comes from that container variable, and only an anonymous GET /version goes to the peer. `gw|id|address`: the address must be some cluster's east-west gateway
/// address; a gateway partition times out, a gateway without a ready pod refuses, else TCP connects and healthz is 200.
/// </summary>
public sealed class ProbeExecHandler(LabHost lab, LabCluster cluster)
{
    public const string ScriptName = "hybridmesh-probe";
    private int _executed;

    /// <summary>How many probe commands this cluster's kubelet ran (tests count the module's execs).</summary>
    public int Executed => Volatile.Read(ref _executed);

    /// <summary>True for the probe command (sh -c 'eval "$HYBRIDMESH_PROBE"' hybridmesh-probe TIMEOUT).</summary>
    public static bool Handles(LabExecRequest request) =>
        request.Command.Count >= 5 && Path.GetFileName(request.Command[0]) == "sh" && request.Command[1] == "-c" && request.Command[3] == ScriptName;

    /// <summary>The calls the script reads from the container's HYBRIDMESH_PROBE_CALLS, one per line.</summary>
    private static IEnumerable<string> Calls(LabExecRequest request) =>
        (Env(request, "HYBRIDMESH_PROBE_CALLS") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A variable of the exec'd container's environment.</summary>
    private static string? Env(LabExecRequest request, string name) =>
        (string?)(request.PodObject["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["name"] == request.Container)?["env"]?.AsArray()
            .FirstOrDefault(e => (string?)e?["name"] == name)?["value"];

    public async Task<LabExecResult> HandleAsync(LabExecRequest request, CancellationToken ct)
    {
        if (!int.TryParse(request.Command[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            return new LabExecResult("", "sh: invalid timeout\n", 2);
        Interlocked.Increment(ref _executed);
        // The script runs every call at once.
        var lines = await Task.WhenAll(Calls(request).Select(spec => OneAsync(request, spec, seconds, ct)));
        return new LabExecResult(string.Concat(lines.SelectMany(l => l).Select(l => l + "\n")));
    }

    private async Task<IReadOnlyList<string>> OneAsync(LabExecRequest request, string spec, int seconds, CancellationToken ct)
    {
        var f = spec.Split('|');
        // Before linking (`api|id|server|-|-|CA variable`): no secret, the CA in a variable of its own, no token, GET /version only.
        if (f.Length >= 6 && f[0] == "api" && f[4] == "-")
        {
            var ca = f[5] == "-" ? null : Env(request, f[5]);
            return await ApiAsync(f[1], f[2], seconds, () => ca is null ? null : new MeshModel.RemoteKubeconfig(null, null, ca), ["version"], ct);
        }

        if (f.Length >= 5 && f[0] == "api")
            return await ApiAsync(f[1], f[2], seconds, () => ReadMounted(request, f[4]), ["version", "services"], ct);
        if (f.Length >= 3 && f[0] == "gw") return Gateway(Owners(request), f[1], f[2], seconds);
        return [];
    }

    private static string Line(string kind, string id, string step, int rc, int code, double connect, double total, string error) =>
        string.Create(CultureInfo.InvariantCulture, $"PROBE|{kind}|{id}|{step}|{rc}|{code:000}|{connect:0.000000}|{total:0.000000}|{error}");

    private async Task<IReadOnlyList<string>> ApiAsync(string id, string server, int seconds, Func<MeshModel.RemoteKubeconfig?> credentials,
        string[] steps, CancellationToken ct)
    {
        IReadOnlyList<string> All(int rc, string error, double total = 0) => steps.Select(s => Line("api", id, s, rc, 0, 0, total, error)).ToArray();
        var uri = Uri.TryCreate(server, UriKind.Absolute, out var u) ? u : null;
        var host = uri?.Host ?? server;
        var peer = lab.Partitions.ResolveFromPod(lab.Clusters, server);
        if (peer is null)
        {
            return System.Net.IPAddress.TryParse(host, out _)
                ? All(7, $"curl: (7) Failed to connect to {host} port {uri?.Port} after 1 ms: Could not connect to server")
                : All(6, $"curl: (6) Could not resolve host: {host}");
        }

        if (lab.Partitions.IsCut(cluster, peer, PartitionTarget.ApiServer))
            return All(28, $"curl: (28) Connection timed out after {seconds * 1000} milliseconds", seconds);

        var kc = credentials();
        if (kc?.CaPem is not { Length: > 0 } ca || !SameCertificate(ca, peer.CaCertificate))
            return All(60, "curl: (60) SSL certificate problem: unable to get local issuer certificate");

        var lines = new List<string>();
        foreach (var (step, target) in new[] { ("version", "/version"), ("services", "/api/v1/services?limit=1") }.Where(s => steps.Contains(s.Item1)))
        {
            var watch = Stopwatch.StartNew();
            // The peer answers as its own pipeline would (faults, authentication, RBAC, one request log entry per call),
            // what authentication and RBAC decide kept per (peer, token, path) (PeerListAccess, docs/design/scale.md).
            var code = await PeerListAccess.CurlAsync(peer, kc.Token, target, ct);
            var total = watch.Elapsed.TotalSeconds;
            lines.Add(code is { } status
                ? Line("api", id, step, 0, status, Math.Min(total, 0.001), total, "")
                : Line("api", id, step, 56, 0, 0.001, total, "curl: (56) Recv failure: Connection reset by peer"));
        }

        return lines;
    }

    /// <summary>The remote secret's kubeconfig mounted at <paramref name="path"/>, or null when absent or unreadable.</summary>
    private MeshModel.RemoteKubeconfig? ReadMounted(LabExecRequest request, string path)
    {
        if (MountedSource(request, path) is not var (secretName, key)) return null;
        var ns = (string?)request.PodObject["metadata"]?["namespace"];
        // The stored Secret, not a copy: a copy per call line was 62,250 deep clones per check run at 250 clusters.
        return cluster.Runtime.Store.Get("secrets", ns, secretName)?["data"]?[key] is JsonValue value && value.TryGetValue<string>(out var encoded)
            ? Kubeconfigs.GetOrAdd(encoded, static e => Parse(e))
            : null;
    }

    // Each mounted value as read (by its base64 text: every cluster's secret for a given peer holds the same one), so a
    // check run decodes and parses each peer's kubeconfig once rather than once per call line (docs/design/scale.md).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, MeshModel.RemoteKubeconfig?> Kubeconfigs = new(StringComparer.Ordinal);

    private static MeshModel.RemoteKubeconfig? Parse(string encoded)
    {
        if (Kubeconfigs.Count >= 4096) Kubeconfigs.Clear();
        try { return MeshModel.ReadKubeconfig(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))); }
        catch (Exception ex) when (ex is FormatException or YamlDotNet.Core.YamlException or InvalidCastException) { return null; }
    }

    /// <summary>One volume mount of the probe container, as the kubelet resolves a file path under it.</summary>
    private sealed record Mount(string At, string? SecretVolume, Dictionary<string, (string Secret, string Key)> Items, string? AnyKeySecret);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LabExecRequest, List<Mount>> MountsOf = new();

    /// <summary>
    /// Which Secret and key the kubelet mounted at <paramref name="path"/>: a key of the Secret whose volume is mounted
    /// above it, either a secret volume (every key as a file) or a projected volume's secret source (its items' paths,
    /// else every key). Resolved from an index of the pod's mounts built once per exec: the probe pod projects 249
    /// sources into one volume, and a scan of them per call line was O(N²) per exec at 250 clusters.
    /// </summary>
    private static (string Secret, string Key)? MountedSource(LabExecRequest request, string path)
    {
        foreach (var mount in MountsOf.GetValue(request, r => Mounts(r.PodObject)))
        {
            if (!path.StartsWith(mount.At, StringComparison.Ordinal)) continue;
            var rest = path[mount.At.Length..];
            if (mount.SecretVolume is { } secretName) return (secretName, rest);
            if (mount.Items.TryGetValue(rest, out var item)) return item;
            if (mount.AnyKeySecret is { } any) return (any, rest);
        }

        return null;
    }

    private static List<Mount> Mounts(JsonObject pod)
    {
        var list = new List<Mount>();
        var mounts = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(c => c["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>();
        foreach (var mount in mounts)
        {
            var at = ((string?)mount["mountPath"] ?? "").TrimEnd('/') + "/";
            var volume = (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(v => (string?)v["name"] == (string?)mount["name"]);
            var items = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            string? anyKey = null;
            foreach (var source in (volume?["projected"]?["sources"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((string?)source["secret"]?["name"] is not { } name) continue;
                // A source without items mounts every key: it answers any path the sources before it did not.
                if (source["secret"]?["items"] is not JsonArray sourceItems)
                {
                    anyKey = name;
                    break;
                }

                foreach (var i in sourceItems.OfType<JsonObject>())
                    if ((string?)i["path"] is { } p && (string?)i["key"] is { } key) items.TryAdd(p, (name, key));
            }

            list.Add(new Mount(at, (string?)volume?["secret"]?["secretName"], items, anyKey));
        }

        return list;
    }

    // Which cluster's east-west gateway answers on an address: one pass over the clusters per exec, not a scan (with
    // copies) of every cluster per call line, which at 250 clusters was O(N²) per exec (docs/design/scale.md).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LabExecRequest, Dictionary<string, LabCluster>> GatewayOwners = new();

    private Dictionary<string, LabCluster> Owners(LabExecRequest request) => GatewayOwners.GetValue(request, _ =>
    {
        var owners = new Dictionary<string, LabCluster>(StringComparer.Ordinal);
        foreach (var c in lab.Clusters)
            foreach (var s in c.StoredObjects("v1", "Service", "istio-system").Where(s => (s["spec"]?["ports"] as JsonArray ?? []).Any(p => (int?)p?["port"] == 15443)))
                foreach (var address in Addresses(s)) owners.TryAdd(address, c);
        return owners;
    });

    private IReadOnlyList<string> Gateway(Dictionary<string, LabCluster> owners, string id, string address, int seconds)
    {
        var owner = owners.GetValueOrDefault(address);
        if (owner is null || lab.Partitions.IsCut(cluster, owner, PartitionTarget.Gateway))
        {
            return
            [
                Line("gw", id, "tcp15443", 28, 0, 0, seconds, $"curl: (28) Connection timed out after {seconds * 1000} milliseconds"),
                Line("gw", id, "healthz", 28, 0, 0, seconds, $"curl: (28) Connection timed out after {seconds * 1000} milliseconds"),
            ];
        }

        var ready = owner.StoredObjects("v1", "Pod", "istio-system").Any(p =>
            (string?)p["metadata"]?["labels"]?["istio"] == "eastwestgateway" && p["metadata"]?["deletionTimestamp"] is null &&
            (string?)p["status"]?["phase"] == "Running");
        if (!ready)
        {
            return
            [
                Line("gw", id, "tcp15443", 7, 0, 0, 0.001, $"curl: (7) Failed to connect to {address} port 15443 after 1 ms: Could not connect to server"),
                Line("gw", id, "healthz", 7, 0, 0, 0.001, $"curl: (7) Failed to connect to {address} port 15021 after 1 ms: Could not connect to server"),
            ];
        }

        // The gateway resets a TLS hello without a mesh SNI (curl 35) after the TCP connection was made.
        return
        [
            Line("gw", id, "tcp15443", 35, 0, 0.001, 0.002, "curl: (35) Recv failure: Connection reset by peer"),
            Line("gw", id, "healthz", 0, 200, 0.001, 0.002, ""),
        ];
    }

    private static IEnumerable<string> Addresses(JsonObject service)
    {
        foreach (var ingress in (service["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).OfType<JsonObject>())
            if (((string?)ingress["ip"] ?? (string?)ingress["hostname"]) is { } a) yield return a;
        foreach (var ip in service["spec"]?["externalIPs"] as JsonArray ?? [])
            if ((string?)ip is { } a) yield return a;
    }

    // Thumbprint of each CA PEM seen in a mounted kubeconfig (null: not a certificate): every probe pod of the mesh mounts
    // the same few, and parsing one per call was a visible share of the lab's work per run.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> Thumbprints = new(StringComparer.Ordinal);

    private static bool SameCertificate(string pem, X509Certificate2 expected) =>
        Thumbprints.GetOrAdd(pem, static p =>
        {
            try
            {
                using var cert = X509Certificate2.CreateFromPem(p);
                return cert.Thumbprint;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return null;
            }
        }) == expected.Thumbprint;
}
