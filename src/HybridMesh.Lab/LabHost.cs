using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Control;
using HybridMesh.Lab.Fleet;
using HybridMesh.Lab.Presets;

namespace HybridMesh.Lab;

/// <summary>
/// The whole lab in one process: N simulated clusters, the mesh root CA they share (or one root each), the HTTP
/// control API, and lab.json describing them for out-of-process users.
/// <code>await using var lab = await LabHost.StartAsync(new LabOptions { Clusters = 2, OutputDirectory = dir });</code>
/// </summary>
public sealed class LabHost : IAsyncDisposable
{
    private readonly List<CertificateAuthority> _roots = [];
    private ControlServer? _control;

    private LabHost(LabOptions options, string outputDirectory)
    {
        Options = options;
        OutputDirectory = outputDirectory;
    }

    public LabOptions Options { get; }
    public string OutputDirectory { get; }
    public IReadOnlyList<LabCluster> Clusters { get; private set; } = [];
    /// <summary>http://127.0.0.1:port of the control API, or null when not started.</summary>
    public string? ControlUrl => _control?.Url;
    public string LabJsonPath => Path.Combine(OutputDirectory, "lab.json");
    /// <summary>The simulated Google fleet (null when <see cref="LabOptions.StartFleet"/> is false).</summary>
    public FleetServer? Fleet { get; private set; }

    /// <summary>A service-account credential file whose token_uri is the fleet's, for application default credentials.</summary>
    public string? FleetCredentialFile { get; private set; }

    public LabCluster this[string name] => Clusters.First(c => c.Name == name);

    /// <summary>Pod-side network faults between clusters (the workstation still reaches every server).</summary>
    public Mesh.NetworkPartitions Partitions { get; } = new();

    private readonly Dictionary<string, Mesh.IstiodSimulator> _istiods = new(StringComparer.Ordinal);

    /// <summary>The simulated istiod of a cluster (answers exec only when <see cref="LabOptions.SimulateMeshTraffic"/>).</summary>
    public Mesh.IstiodSimulator Istiod(LabCluster cluster)
    {
        lock (_istiods)
        {
            if (!_istiods.TryGetValue(cluster.Name, out var istiod)) _istiods[cluster.Name] = istiod = new Mesh.IstiodSimulator(this, cluster);
            return istiod;
        }
    }

    private readonly Dictionary<string, Mesh.ProbeExecHandler> _probes = new(StringComparer.Ordinal);

    /// <summary>The simulated kubelet's answer to the module's probe command in a cluster (with <see cref="LabOptions.SimulateMeshTraffic"/>).</summary>
    public Mesh.ProbeExecHandler Probe(LabCluster cluster)
    {
        lock (_probes)
        {
            if (!_probes.TryGetValue(cluster.Name, out var probe)) _probes[cluster.Name] = probe = new Mesh.ProbeExecHandler(this, cluster);
            return probe;
        }
    }

    /// <summary>Clears partitions and istiod faults (cluster API faults are cleared per cluster).</summary>
    public void ClearMeshFaults()
    {
        Partitions.Clear();
        foreach (var c in Clusters) Istiod(c).Clear();
    }

    /// <summary>The mesh traffic model's kubelet: istiod's debug requests, else curl through the mesh model.</summary>
    private Func<Api.LabExecRequest, CancellationToken, Task<Api.LabExecResult>> MeshExecHandler(LabCluster c)
    {
        var curl = new Mesh.CurlExecHandler(this, c);
        var istiod = Istiod(c);
        var probe = Probe(c);
        return (request, ct) => Mesh.IstiodSimulator.Handles(request) ? istiod.HandleAsync(request, ct)
            : Mesh.ProbeExecHandler.Handles(request) ? probe.HandleAsync(request, ct)
            : curl.HandleAsync(request, ct);
    }

    public static async Task<LabHost> StartAsync(LabOptions options, CancellationToken ct = default)
    {
        if (options.Clusters < 1) throw new ArgumentOutOfRangeException(nameof(options), "at least one cluster");
        var dir = options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "hybridmesh-lab-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var host = new LabHost(options, dir);
        try
        {
            // The fleet server and its key (a second slow part of a start) come up while the clusters start.
            var fleet = options.StartFleet ? Task.Run(async () =>
            {
                var server = await FleetServer.StartAsync(options.Fleet ?? new FleetOptions(), ct);
                server.PrepareKey();
                return server;
            }, ct) : null;
            try
            {
                await host.StartClustersAsync(ct);
            }
            finally
            {
                if (fleet is not null) host.Fleet = await fleet;
            }
            if (options.SimulateMeshTraffic)
                foreach (var c in host.Clusters)
                {
                    c.ExecHandler = host.MeshExecHandler(c);
                    c.ProxyHandler = host.Istiod(c).ProxyAsync;
                }
            if (host.Fleet is not null) host.DescribeClustersToFleet();
            if (options.StartControlServer) host._control = await ControlServer.StartAsync(host, ct);
            host.WriteLabJson();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartClustersAsync(CancellationToken ct)
    {
        var sharedRoot = new CertificateAuthority("lab-mesh-root");
        _roots.Add(sharedRoot);
        // Options are decided in order (Customize may count), then the servers start in parallel: each costs key
        // generation and a Kestrel start, and a fleet of 250 started one by one took minutes (docs/design/scale.md).
        var starts = new List<Func<Task<LabCluster>>>();
        for (var i = 1; i <= Options.Clusters; i++)
        {
            var platform = i % 2 == 1 ? LabPlatform.Gke : LabPlatform.OnPrem;
            var co = new ClusterOptions { Name = $"cluster{i}", Platform = platform };
            Options.Customize?.Invoke(i, co);
            string context, clusterName, userName, clusterId;
            if (co.Platform == LabPlatform.Gke)
            {
                context = clusterName = userName = $"gke_{Options.GkeProject}_{Options.GkeLocation}_{co.Name}";
                clusterId = $"cn-{Options.GkeProject}-{Options.GkeLocation}-{co.Name}";
            }
            else
            {
                context = userName = $"admin@{co.Name}";
                clusterName = co.Name;
                clusterId = $"cn-{Options.FleetProject}-global-{co.Name}";
            }
            var root = sharedRoot;
            if (Options.DistinctRoots)
            {
                root = new CertificateAuthority($"lab-mesh-root-{co.Name}");
                _roots.Add(root);
            }
            var index = i;
            starts.Add(async () =>
            {
                var cluster = await LabCluster.StartAsync(index, co, context, clusterName, userName, OutputDirectory, c => co.AsmPreset
                    ? new AsmPresetSpec(clusterId, co.Network, co.Revisions, root, co.CaCertsSecret, co.ServeGatewayV1,
                        co.Registered ? $"//gkehub.googleapis.com/projects/{(co.OwnerByProjectNumber ? Options.FleetProjectNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) : Options.FleetProject)}/locations/global/memberships/{co.Name}" : null,
                        co.Name, co.TrustDomain ?? $"{Options.FleetProject}.svc.id.goog")
                    : null, ct);
                cluster.ClusterId = clusterId;
                return cluster;
            });
        }

        var started = new LabCluster?[starts.Count];
        using var gate = new SemaphoreSlim(Math.Max(2, Environment.ProcessorCount * 2));
        var failure = default(Exception);
        await Task.WhenAll(starts.Select(async (start, n) =>
        {
            await gate.WaitAsync(ct);
            try
            {
                started[n] = await Task.Run(start, ct);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
            finally
            {
                gate.Release();
            }
        }));
        // Disposed with the host when one failed to start.
        Clusters = started.OfType<LabCluster>().ToList();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// The fleet knows what the clusters say about themselves: the fleet and GKE projects, every GKE-style cluster
    /// (clusters.get), and a READY membership for every cluster whose hub.gke.io Membership names the fleet.
    /// </summary>
    private void DescribeClustersToFleet()
    {
        var fleet = Fleet!;
        fleet.AddProject(Options.FleetProject, Options.FleetProjectNumber);
        fleet.AddProject(Options.GkeProject, Options.GkeProjectNumber);
        foreach (var cluster in Clusters)
        {
            var registered = cluster.Options.AsmPreset && cluster.Options.Registered;
            var membership = registered
                ? $"//gkehub.googleapis.com/projects/{Options.FleetProject}/locations/global/memberships/{cluster.Name}"
                : null;
            if (cluster.Platform == LabPlatform.Gke)
            {
                var link = $"//container.googleapis.com/projects/{Options.GkeProject}/locations/{Options.GkeLocation}/clusters/{cluster.Name}";
                var shared = Options.SharedGkeNetwork ?? Clusters.Count <= 2;
                fleet.AddGkeCluster(Options.GkeProject, Options.GkeLocation, cluster.Name, shared ? Options.GkeNetwork : $"{Options.GkeNetwork}-{cluster.Name}",
                    endpoint: new Uri(cluster.Server).Host, fleetProject: registered ? Options.FleetProject : null,
                    fleetMembership: membership);
                if (registered) fleet.AddMembership(Options.FleetProject, "global", cluster.Name, gkeResourceLink: link);
            }
            else if (registered)
            {
                var kubeSystemUid = cluster.GetObject("v1", "Namespace", null, "kube-system")?["metadata"]?["uid"]?.GetValue<string>();
                fleet.AddMembership(Options.FleetProject, "global", cluster.Name, externalId: kubeSystemUid,
                    onPremResourceLink: $"//gkeonprem.googleapis.com/projects/{Options.FleetProject}/locations/global/bareMetalClusters/{cluster.Name}");
            }
        }

        FleetCredentialFile = fleet.WriteServiceAccountCredentialFile(Path.Combine(OutputDirectory, "fleet-credentials.json"));
    }

    /// <summary>lab.json: where everything is. Cluster tokens stay in the kubeconfigs; the fleet's lab-only access
    /// token is included so that tests can exercise -AccessToken.</summary>
    public void WriteLabJson()
    {
        var doc = new JsonObject
        {
            ["controlUrl"] = ControlUrl,
            ["fleet"] = Fleet is null ? null : new JsonObject
            {
                ["url"] = Fleet.Url.ToString(),
                ["controlUrl"] = new Uri(Fleet.Url, "_lab/").ToString(),
                ["projectId"] = Options.FleetProject,
                ["projectNumber"] = Options.FleetProjectNumber,
                ["gkeProject"] = Options.GkeProject,
                ["credentialFile"] = FleetCredentialFile,
                ["accessToken"] = Fleet.AccessToken,
            },
            ["clusters"] = new JsonArray(Clusters.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name, ["context"] = c.Context, ["kubeconfig"] = c.KubeconfigPath, ["server"] = c.Server,
                ["platform"] = c.Platform.ToString(), ["clusterId"] = c.ClusterId,
            }).ToArray()),
        };
        // Written whole, then renamed: out-of-process users poll for this file and must never read half of it.
        var partial = LabJsonPath + ".partial";
        File.WriteAllText(partial, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(partial, LabJsonPath, overwrite: true);
    }

    /// <summary>
    /// Remembers the state of every cluster and the fleet once the controllers have settled; <see cref="ResetAsync"/>
    /// goes back to it. Test fixtures call it once after the start and reset between tests instead of starting a lab
    /// per test (docs/design/lab-reuse.md).
    /// </summary>
    public async Task CheckpointAsync(CancellationToken ct = default)
    {
        foreach (var c in Clusters) await c.CheckpointAsync(ct);
        Fleet?.Checkpoint();
    }

    /// <summary>Every cluster, the fleet, partitions and istiod faults back to the last <see cref="CheckpointAsync"/>.</summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await Task.WhenAll(Clusters.Select(c => c.ResetAsync(ct)));
        ClearMeshFaults();
        Fleet?.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        if (_control is not null) await _control.DisposeAsync();
        if (Fleet is not null) await Fleet.DisposeAsync();
        foreach (var c in Clusters) await c.DisposeAsync();
        foreach (var r in _roots) r.Dispose();
    }
}
