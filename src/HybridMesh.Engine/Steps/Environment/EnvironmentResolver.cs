using HybridMesh.Engine.Google;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>
/// Runbook step 2: the fleet project's number, the mesh id (proj-&lt;number&gt;) and a network id per cluster.
/// Network precedence: -Network, then the cluster's existing label (when a <see cref="NetworkLabelReader"/> is
/// plugged in), then GKE's &lt;cluster project&gt;-&lt;VPC network&gt;, then "default" for on-premises clusters.
/// </summary>
public sealed class EnvironmentResolver
{
    private const int ProgressId = 2;
    private const string ProgressActivity = "Resolving the mesh environment";
    private readonly IProjectDirectory _projects;
    private readonly IGkeClusters _gke;
    private readonly NetworkLabelReader? _labelReader;

    internal EnvironmentResolver(IProjectDirectory projects, IGkeClusters gke, NetworkLabelReader? labelReader = null)
    {
        _projects = projects;
        _gke = gke;
        _labelReader = labelReader;
    }

    /// <summary>
    /// Validates the request offline, connects to Google (credentials, endpoints) and resolves. Throws MeshException
    /// when nothing can be produced (invalid id or network, no credentials, fleet project lookup failed); reports a
    /// failed cluster to <paramref name="sink"/> and leaves it out of the result.
    /// </summary>
    public static Task<MeshEnvironment> ResolveAsync(EnvironmentRequest request, IMeshSink sink,
        CancellationToken cancellationToken) => ResolveAsync(request, sink, cancellationToken, null);

    /// <summary>As above, reading network labels with <paramref name="labelReader"/> (tests stand in for clusters).</summary>
    internal static async Task<MeshEnvironment> ResolveAsync(EnvironmentRequest request, IMeshSink sink,
        CancellationToken cancellationToken, NetworkLabelReader? labelReader)
    {
        Validate(request);
        using var apis = await GoogleApis.ConnectAsync(request.Google, sink, cancellationToken).ConfigureAwait(false);
        return await new EnvironmentResolver(apis.Projects, apis.Clusters, labelReader)
            .RunAsync(request, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves with the Google APIs given to the constructor (tests and callers that already connected).</summary>
    public async Task<MeshEnvironment> RunAsync(EnvironmentRequest request, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        Validate(request);
        var clusters = Distinct(request.Clusters, sink);
        ValidateNetworkKeys(request.Networks, clusters);
        var project = await _projects.GetProjectAsync(request.FleetProjectId, cancellationToken).ConfigureAwait(false);
        sink.Verbose($"Fleet project '{project.ProjectId}' has number {project.ProjectNumber}; mesh id " +
                     $"proj-{project.ProjectNumber}.");
        if (project.State != "ACTIVE")
        {
            sink.Warning($"Fleet project '{project.ProjectId}' is in state {project.State}, not ACTIVE.");
        }

        // One cluster's failure must not cost the others their network id: it becomes that cluster's error.
        var results = await BoundedFanOut.RunAsync(clusters, request.ThrottleLimit, sink, ProgressId, ProgressActivity,
            cluster => cluster.Context, (cluster, ct) => ResolveClusterAsync(cluster, request.Networks, sink, ct),
            cancellationToken).ConfigureAwait(false);

        return new MeshEnvironment(project.ProjectId, project.ProjectNumber,
            results.Where(r => r is not null).Select(r => r!).ToArray());
    }

    private async Task<ClusterNetwork> ResolveClusterAsync(MeshCluster cluster,
        IReadOnlyDictionary<string, string> networks, IMeshSink sink, CancellationToken cancellationToken)
    {
        if (FindNetwork(networks, cluster) is { } given)
        {
            sink.Verbose($"{cluster.Context}: network '{given}' (from -Network).");
            return new ClusterNetwork(cluster, given, NetworkSource.Parameter);
        }

        // The label and the computed network are independent lookups: both go out at once (docs/design/scale.md).
        // The computed one's messages are held back and written only when it is the one used, as before.
        var recorded = new RecordedMessages(sink);
        var computing = ComputeNetworkAsync(cluster, recorded, cancellationToken);
        string? label;
        try
        {
            label = await ReadLabelAsync(cluster, sink, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ = computing.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
            throw;
        }

        if (label is null)
        {
            try
            {
                return await computing.ConfigureAwait(false);
            }
            finally
            {
                recorded.Release();
            }
        }

        // istiod already routes by the existing label, so it wins; a different runbook value is worth a warning
        // because the documented commands (and asmcli on GKE) would use the computed one.
        try
        {
            var computed = await computing.ConfigureAwait(false);
            if (!string.Equals(computed.Network, label, StringComparison.Ordinal))
            {
                sink.Warning($"{cluster.Context}: istio-system is labelled topology.istio.io/network='{label}', but " +
                             $"the runbook computes '{computed.Network}'. Using the label, which istiod already uses; " +
                             "pass -Network to choose otherwise, and never give two clusters the same network.");
            }
        }
        catch (MeshException ex)
        {
            sink.Verbose($"{cluster.Context}: the computed network could not be compared with the label: {ex.Message}");
        }

        sink.Verbose($"{cluster.Context}: network '{label}' (existing topology.istio.io/network label).");
        return new ClusterNetwork(cluster, label, NetworkSource.ClusterLabel);
    }

    /// <summary>The cluster's existing label, or null when there is none or it cannot be read (then a warning).</summary>
    private async Task<string?> ReadLabelAsync(MeshCluster cluster, IMeshSink sink, CancellationToken cancellationToken)
    {
        if (_labelReader is null)
        {
            return null;
        }

        try
        {
            var label = await _labelReader(cluster, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(label) ? null : label;
        }
        catch (MeshException ex)
        {
            sink.Warning($"{cluster.Context}: could not read the istio-system network label ({ex.ErrorId}: " +
                         $"{ex.Message}); using the computed network id. Check it before installing a gateway.");
            return null;
        }
    }

    /// <summary>The runbook's value: on-prem 'default', GKE '&lt;cluster project&gt;-&lt;VPC network&gt;'.</summary>
    private async Task<ClusterNetwork> ComputeNetworkAsync(MeshCluster cluster, IMeshSink sink,
        CancellationToken cancellationToken)
    {
        if (cluster.Platform == ClusterPlatform.OnPrem)
        {
            sink.Verbose($"{cluster.Context}: network '{NetworkIds.OnPremDefault}' (on-premises default).");
            return new ClusterNetwork(cluster, NetworkIds.OnPremDefault, NetworkSource.Default);
        }

        if (string.IsNullOrEmpty(cluster.GkeProject) || string.IsNullOrEmpty(cluster.GkeLocation) ||
            string.IsNullOrEmpty(cluster.GkeCluster))
        {
            throw MeshErrors.GkeClusterLocationUnknown(cluster.Context);
        }

        var gke = await _gke.GetClusterAsync(cluster.GkeProject, cluster.GkeLocation, cluster.GkeCluster,
            cancellationToken).ConfigureAwait(false);
        if (gke.IsDnsOnlyControlPlane)
        {
            sink.Warning($"{cluster.Context}: GKE cluster '{gke.Name}' has a DNS-only control plane (no IP " +
                         $"endpoints{(gke.DnsEndpoint is null ? "" : "; DNS endpoint " + gke.DnsEndpoint)}); the " +
                         "hybrid mesh setup does not support private clusters, and remote istiods need an IP endpoint.");
        }
        else if (gke.IsPrivateCluster)
        {
            sink.Warning($"{cluster.Context}: GKE cluster '{gke.Name}' has a private control-plane endpoint; the " +
                         "hybrid mesh setup does not support private clusters.");
        }

        var network = gke.MeshNetworkId;
        if (!NetworkIds.IsValid(network))
        {
            sink.Warning($"{cluster.Context}: the computed network id '{network}' is not a valid label value; " +
                         "pass -Network for this cluster.");
        }

        sink.Verbose($"{cluster.Context}: network '{network}' (GKE network '{gke.Network}' of project " +
                     $"'{gke.Project}').");
        return new ClusterNetwork(cluster, network, NetworkSource.GkeNetwork);
    }

    /// <summary>Offline checks that make the whole request pointless when they fail.</summary>
    public static void Validate(EnvironmentRequest request)
    {
        GoogleProjectId.Validate(request.FleetProjectId);
        foreach (var (key, value) in request.Networks)
        {
            if (!NetworkIds.IsValid(value))
            {
                throw MeshErrors.NetworkIdInvalid(key, value);
            }
        }
    }

    // -Network keys: the context (exact), else the cluster name; case-insensitive only when nothing matches exactly,
    // because PowerShell hashtables are case-insensitive while kubeconfig contexts are not.
    internal static string? FindNetwork(IReadOnlyDictionary<string, string> networks, MeshCluster cluster)
    {
        if (networks.Count == 0)
        {
            return null;
        }

        foreach (var comparison in new[] { StringComparison.Ordinal, StringComparison.OrdinalIgnoreCase })
        {
            foreach (var candidate in new[] { cluster.Context, cluster.Name })
            {
                foreach (var (key, value) in networks)
                {
                    if (string.Equals(key, candidate, comparison))
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }

    // Every -Network key must name one of the clusters (context or short name; the Istio cluster name is not read
    // here): a typo would otherwise silently give that cluster a computed network (docs/design/cluster-names.md).
    private static void ValidateNetworkKeys(IReadOnlyDictionary<string, string> networks,
        IReadOnlyList<MeshCluster> clusters)
    {
        var resolver = new ClusterNameResolver(clusters.Select(c => new ClusterNames(c.Context, c.Details?.IstioClusterName, c.Name)));
        foreach (var key in networks.Keys)
        {
            resolver.Resolve("-Network", key);
        }
    }

    private static IReadOnlyList<MeshCluster> Distinct(IReadOnlyList<MeshCluster> clusters, IMeshSink sink)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<MeshCluster>();
        foreach (var cluster in clusters)
        {
            if (seen.Add(cluster.Context + "\n" + string.Join("\n", cluster.Kubeconfig)))
            {
                result.Add(cluster);
            }
            else
            {
                sink.Verbose($"{cluster.Context}: given more than once; counted once.");
            }
        }

        return result;
    }
}
