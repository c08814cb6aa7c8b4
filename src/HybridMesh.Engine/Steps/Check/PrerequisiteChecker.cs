using System.Text.Json.Nodes;
using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Steps.Mesh;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Test-MeshPrerequisite: the seed's prerequisites as one verdict before anything is changed
/// (docs/design/prerequisites.md). Reads each cluster once (the shared snapshot plus what only this command needs),
/// GKE and organisation policy for GKE clusters, then reports one MeshCheck per prerequisite and cluster. The rules
/// shared with New-Mesh and Test-MeshConnectivity (ApiServer, FleetMembership, NetworkLabel, IstioRevision,
/// SharedRoot) are called, not copied. Nothing is written anywhere.
/// </summary>
public static class PrerequisiteChecker
{
    public const string ServerOverrideParameter = MeshRequestValidator.ServerOverrideParameter;

    public static async Task<IReadOnlyList<MeshCheck>> RunAsync(IReadOnlyList<MeshTarget> targets, PrerequisiteOptions options,
        IMeshSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        // Bad input stops the command before any request.
        var overrides = ResolveOverrides(targets, options.ServerOverride);
        var kube = options.Kube with { Sink = options.Kube.Sink ?? sink };
        var facts = (await BoundedFanOut.RunAsync(targets, options.ThrottleLimit, sink, 63, "Reading clusters", t => t.Context,
                (t, ct) => ReadAsync(t, kube, sink, ct), cancellationToken).ConfigureAwait(false))
            .Select(f => f!).ToArray();

        await Task.WhenAll(facts.Select(async f =>
        {
            if (overrides.TryGetValue(f.Context, out var address))
            {
                f.ServerOverride = address;
                f.OverrideUnreachable = await AddressProbe.ConnectAsync(address, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);

        var snapshots = facts.Select(f => f.Snapshot).ToArray();
        // Reachability from inside the clusters (issue item 8): the same probe pods and checks as Test-MeshConnectivity,
        // calling the address each peer would be given, since no remote secret exists yet (docs/design/prerequisites.md).
        var probes = options.Probes is { } probeOptions
            ? Probe.ProbeChecks.RunAsync(snapshots, probeOptions with { Unlinked = UnlinkedPeers(facts) }, kube,
                Math.Max(options.ThrottleLimit, snapshots.Length), sink, cancellationToken)
            : null;

        var fleetProject = targets.Select(t => t.FleetProjectId).FirstOrDefault(p => !string.IsNullOrEmpty(p));
        var (google, fleet, why) = await FleetChecks.ConnectAsync(options.Google, fleetProject, sink, cancellationToken)
            .ConfigureAwait(false);
        var unavailable = options.Google is null ? "Google APIs were not called (-SkipGoogleCheck)." : why;
        try
        {
            await ReadGoogleAsync(facts, google, unavailable ?? "Google APIs could not be reached.", cancellationToken)
                .ConfigureAwait(false);
            var results = new List<MeshCheck>();
            foreach (var f in facts)
            {
                var s = f.Snapshot;
                results.Add(ClusterChecks.ApiServer(s));
                results.Add((await FleetChecks.EvaluateAsync(s, fleet, unavailable, cancellationToken).ConfigureAwait(false)).Verdict.Check);
                results.Add(GkePrerequisiteChecks.Network(f, facts));
                results.Add(ClusterChecks.NetworkPlanned(s, snapshots).Check);
                results.Add(GkePrerequisiteChecks.PrivateCluster(f));
                results.Add(LoadBalancerChecks.Policy(f, options.InternalLoadBalancer));
                results.Add(LoadBalancerChecks.Implementation(f));
                results.Add(PermissionChecks.Run(f));
                results.Add(ClusterChecks.IstioRevision(s, snapshots).Check);
                results.Add(IstioPrerequisiteChecks.Version(f, facts));
                results.Add(IstioPrerequisiteChecks.TrustDomain(f, facts));
                results.Add(RootChecks.SharedRoot(s, snapshots).Check);
            }

            if (probes is not null)
            {
                results.AddRange(Probe.ProbeChecks.Run(snapshots, await probes.ConfigureAwait(false), unlinked: true));
            }

            return results;
        }
        finally
        {
            google?.Dispose();
        }
    }

    /// <summary>What each cluster's peers would be given for it: the -ServerOverride address, else the kubeconfig's server.</summary>
    private static Dictionary<string, Probe.UnlinkedPeer> UnlinkedPeers(IEnumerable<PrerequisiteFacts> facts) =>
        facts.ToDictionary(f => f.Context,
            f => new Probe.UnlinkedPeer(f.ServerOverride?.OriginalString ?? f.Snapshot.Target.Cluster.Server, f.ClusterCa), StringComparer.Ordinal);

    /// <summary>True when no prerequisite Failed (warnings and skipped checks are reported, not fatal).</summary>
    public static bool AllPassed(IReadOnlyList<MeshCheck> checks) => checks.All(c => c.Status != MeshCheckStatus.Failed);

    /// <summary>-ServerOverride keys resolved like New-Mesh's (context, Istio cluster name when known, short name); values absolute http(s) URLs.</summary>
    private static Dictionary<string, Uri> ResolveOverrides(IReadOnlyList<MeshTarget> targets, IReadOnlyDictionary<string, string> overrides)
    {
        var result = new Dictionary<string, Uri>(StringComparer.Ordinal);
        if (overrides.Count == 0)
        {
            return result;
        }

        var resolver = new ClusterNameResolver(targets.Select(t =>
            new ClusterNames(t.Context, t.Cluster.Details?.IstioClusterName, t.Cluster.Name)));
        foreach (var (key, value) in overrides)
        {
            if (!MeshRequestValidator.IsServerUrl(value))
            {
                throw MeshErrors.ServerUrlInvalid(key, value);
            }

            var context = targets[resolver.Resolve(ServerOverrideParameter, key)].Context;
            result[context] = new Uri(value);
        }

        return result;
    }

    private static async Task<PrerequisiteFacts> ReadAsync(MeshTarget target, KubeSessionOptions options, IMeshSink sink,
        CancellationToken ct)
    {
        KubeSession session;
        try
        {
            session = KubeSession.Open(target.Cluster, options);
        }
        catch (MeshException ex)
        {
            return new PrerequisiteFacts { Snapshot = new ClusterSnapshot { Target = target, Error = ex } };
        }

        using (session)
        {
            // One round per cluster (docs/design/prerequisites.md): the access reviews, ConfigMaps and Services this command
            // needs go out together with the snapshot's reads, not after them. When the API server cannot be read they
            // fail as the snapshot does, and only the snapshot's error is kept.
            const string ns = IstioNames.SystemNamespace;
            var read = ClusterSnapshot.ReadAsync(target, session, sink, ct);
            var access = AccessAsync(session, ct);
            var configMaps = Try(() => session.ListAsync("v1", "ConfigMap", ns, cancellationToken: ct));
            var services = target.Cluster.Platform == ClusterPlatform.Gke ? Task.FromResult<(IReadOnlyList<JsonObject>?, string?)>((null, null))
                : Try(() => session.ListAsync("v1", "Service", null, cancellationToken: ct));
            await Task.WhenAll(read, access, configMaps, services).ConfigureAwait(false);
            var snapshot = await read.ConfigureAwait(false);
            var facts = new PrerequisiteFacts { Snapshot = snapshot };
            if (!snapshot.Reachable)
            {
                return facts;
            }

            (facts.Access, facts.AccessUnavailable) = await access.ConfigureAwait(false);
            facts.IstiodVersions = IstioPrerequisiteChecks.Versions(snapshot.Istiods);
            var maps = (await configMaps.ConfigureAwait(false)).Items ?? [];
            facts.ClusterCa = maps.Where(c => ClusterSnapshot.Text(c["metadata"]?["name"]) == "kube-root-ca.crt")
                .Select(c => ClusterSnapshot.Text(c["data"]?["ca.crt"])).FirstOrDefault(ca => !string.IsNullOrWhiteSpace(ca));
            facts.MeshConfigs = maps
                .Where(c => ClusterSnapshot.Text(c["metadata"]?["name"]) is { } n && (n == "istio" || n.StartsWith("istio-", StringComparison.Ordinal)))
                .Where(c => ClusterSnapshot.Text(c["data"]?["mesh"]) is not null)
                .ToDictionary(c => ClusterSnapshot.Text(c["metadata"]?["name"])!, c => ClusterSnapshot.Text(c["data"]?["mesh"])!, StringComparer.Ordinal);
            var (all, why) = await services.ConfigureAwait(false);
            facts.LoadBalancerServices = all?.Where(s => ClusterSnapshot.Text(s["spec"]?["type"]) == "LoadBalancer").ToArray();
            facts.ServicesUnavailable = why;
            return facts;
        }
    }

    private static async Task<(IReadOnlyList<JsonObject>? Items, string? Why)> Try(Func<Task<IReadOnlyList<JsonObject>>> read)
    {
        try
        {
            return (await read().ConfigureAwait(false), null);
        }
        catch (MeshException ex)
        {
            return (null, $"{ex.ErrorId}: {ex.Message}");
        }
    }

    /// <summary>One SelfSubjectAccessReview per permission, all sent together: the answers, or why there are none.</summary>
    private static async Task<(IReadOnlyList<(RunbookPermission Permission, AccessReviewAnswer Answer)>? Answers, string? Why)> AccessAsync(
        KubeSession session, CancellationToken ct)
    {
        var permissions = RunbookPermissions.All;
        try
        {
            var answers = await Task.WhenAll(permissions.Select(p =>
                session.ReviewAccessAsync(p.Verb, p.Group, p.Resource, p.Subresource, p.Namespace, ct))).ConfigureAwait(false);
            return (permissions.Zip(answers).ToArray(), null);
        }
        catch (MeshException ex)
        {
            return (null, $"{ex.ErrorId}: {ex.Message}");
        }
    }

    /// <summary>clusters.get and the effective load-balancer policy of each GKE cluster's project.</summary>
    private static async Task ReadGoogleAsync(IReadOnlyList<PrerequisiteFacts> facts, GoogleApis? google, string unavailable,
        CancellationToken ct)
    {
        var policies = new Dictionary<string, Task<(EffectiveListPolicy?, string?)>>(StringComparer.Ordinal);
        await Task.WhenAll(facts.Where(f => f.Snapshot.IsGke).Select(async f =>
        {
            var cluster = f.Snapshot.Target.Cluster;
            if (google is null || cluster.GkeProject is null || cluster.GkeLocation is null || cluster.GkeCluster is null)
            {
                f.GkeUnavailable = google is null ? unavailable : "the kubeconfig does not name the GKE project, location and cluster.";
                f.LoadBalancerPolicyUnavailable = f.GkeUnavailable;
                return;
            }

            Task<(EffectiveListPolicy?, string?)> policy;
            lock (policies)
            {
                if (!policies.TryGetValue(cluster.GkeProject, out policy!))
                {
                    policy = PolicyAsync(google, cluster.GkeProject, ct);
                    policies[cluster.GkeProject] = policy;
                }
            }

            try
            {
                f.Gke = await google.Clusters.GetClusterAsync(cluster.GkeProject, cluster.GkeLocation, cluster.GkeCluster, ct).ConfigureAwait(false);
                f.Snapshot.GkeVpc = f.Gke.Vpc;
            }
            catch (MeshException ex)
            {
                f.GkeUnavailable = $"{ex.ErrorId}: {ex.Message}";
            }

            (f.LoadBalancerPolicy, f.LoadBalancerPolicyUnavailable) = await policy.ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    private static async Task<(EffectiveListPolicy?, string?)> PolicyAsync(GoogleApis google, string project, CancellationToken ct)
    {
        try
        {
            return (await google.Policies.GetEffectiveListPolicyAsync(project, LoadBalancerChecks.Constraint, ct).ConfigureAwait(false), null);
        }
        catch (MeshException ex) when (ex.Category == MeshErrorCategory.PermissionDenied)
        {
            return (null, $"the caller may not read organisation policies of project '{project}' ({ex.ErrorId}; needs orgpolicy.policy.get): {ex.Message}");
        }
        catch (MeshException ex)
        {
            return (null, $"{ex.ErrorId}: {ex.Message}");
        }
    }
}
