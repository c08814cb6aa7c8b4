using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Control;
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
    /// <summary>The simulated Google fleet; wired in by the fleet helper (null until then).</summary>
    public object? Fleet { get; set; }

    public LabCluster this[string name] => Clusters.First(c => c.Name == name);

    public static async Task<LabHost> StartAsync(LabOptions options, CancellationToken ct = default)
    {
        if (options.Clusters < 1) throw new ArgumentOutOfRangeException(nameof(options), "at least one cluster");
        var dir = options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "hybridmesh-lab-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var host = new LabHost(options, dir);
        try
        {
            await host.StartClustersAsync(ct);
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
        var clusters = new List<LabCluster>();
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
            var cluster = await LabCluster.StartAsync(i, co, context, clusterName, userName, OutputDirectory, c => co.AsmPreset
                ? new AsmPresetSpec(clusterId, co.Network, co.Revisions, root, co.CaCertsSecret, co.ServeGatewayV1,
                    co.Registered ? $"//gkehub.googleapis.com/projects/{Options.FleetProject}/locations/global/memberships/{co.Name}" : null,
                    co.Name)
                : null, ct);
            cluster.ClusterId = clusterId;
            clusters.Add(cluster);
            Clusters = clusters;
        }
    }

    /// <summary>lab.json: where everything is, without any token.</summary>
    public void WriteLabJson()
    {
        var doc = new JsonObject
        {
            ["controlUrl"] = ControlUrl,
            ["fleet"] = null,
            ["clusters"] = new JsonArray(Clusters.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name, ["context"] = c.Context, ["kubeconfig"] = c.KubeconfigPath, ["server"] = c.Server,
                ["platform"] = c.Platform.ToString(), ["clusterId"] = c.ClusterId,
            }).ToArray()),
        };
        File.WriteAllText(LabJsonPath, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public async ValueTask DisposeAsync()
    {
        if (_control is not null) await _control.DisposeAsync();
        foreach (var c in Clusters) await c.DisposeAsync();
        foreach (var r in _roots) r.Dispose();
    }
}
