using System.Text.Json.Nodes;
using HybridMesh.Engine.Google;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// New-Mesh (runbook step 5, replacing asmcli create-mesh): checks, then for every ordered pair (S, T) a remote
/// secret in T that lets T's istiod read S. Costs per run: N cluster reads, N token reads (one per source, reused for
/// all its targets), N link proofs, and one write per link that differs from what is live — nothing for a converged
/// mesh. Links are wired concurrently; a failed link is one non-terminating error and never stops the others.
/// </summary>
public static class MeshCreator
{
    private const string Ns = IstioNames.SystemNamespace;

    public static async Task<MeshResult> NewMeshAsync(MeshRequest request, IMeshSink sink, CancellationToken ct)
    {
        MeshRequestValidator.BeforeReads(request);
        var fleetProject = request.FleetProjectId ?? request.Targets.Select(t => t.FleetProjectId).FirstOrDefault(p => p is not null);
        if (!request.SkipFleetCheck && fleetProject is null)
        {
            throw MeshErrors.MeshFleetProjectMissing();
        }

        var write = !request.ManifestOnly;
        var members = await MeshPreflight.ReadAsync(request, sink, ct).ConfigureAwait(false);
        try
        {
            MeshRequestValidator.AfterReads(members, request);
            var failures = MeshPreflight.Check(members, request, sink).ToList();
            var meshId = request.Targets.Select(t => t.MeshId).FirstOrDefault(m => m is not null);
            if (!request.SkipFleetCheck && failures.Count == 0)
            {
                using var google = await GoogleApis.ConnectAsync(request.Google, sink, ct).ConfigureAwait(false);
                var project = await google.Projects.GetProjectAsync(fleetProject!, ct).ConfigureAwait(false);
                meshId ??= "proj-" + project.ProjectNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var reachable = members.Where(m => m.Unreachable is null).ToArray();
                var fleet = new Check.FleetView(google.Fleet, fleetProject, project.ProjectNumber, google.Clusters, google.Projects);
                var checks = await Task.WhenAll(reachable.Select(m => MeshFleetCheck.CheckAsync(m, fleet, request,
                    write ? sink : new DecliningSink(sink), ct))).ConfigureAwait(false);
                failures.AddRange(checks.OfType<MeshException>());
            }

            if (failures.Count > 0)
            {
                foreach (var failure in failures)
                {
                    sink.Error(failure);
                }

                throw MeshErrors.MeshChecksFailed(failures.Count);
            }

            var sources = await PrepareSourcesAsync(members, request, write, sink, ct).ConfigureAwait(false);
            if (request.ManifestOnly)
            {
                return new MeshResult { Manifests = RenderManifests(members, sources, request, sink) };
            }

            var links = await WireLinksAsync(members, sources, request, sink, ct).ConfigureAwait(false);
            await HandleStaleAsync(members, request, sink, ct).ConfigureAwait(false);
            var mesh = new Models.Mesh(meshId, fleetProject, members.Select(m => m.Cluster).ToArray(), links);
            return new MeshResult { Mesh = mesh };
        }
        finally
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
        }
    }

    /// <summary>What each source contributes to its links: credential (or why none), the server to write, its proof.</summary>
    private sealed class SourceState
    {
        public ReaderCredential? Credential { get; set; }
        public MeshException? Failure { get; set; }
        public List<JsonObject> Planned { get; } = [];
        public string Server { get; set; } = "";
        public MeshLinkStatus Status { get; set; } = MeshLinkStatus.Planned;
        public string? Detail { get; set; }
        private JsonObject? _remoteSecret;

        private byte[]? _bytes;

        /// <summary>
        /// The remote secret this source's targets hold is the same for all of them, so it is rendered once per source
        /// (kubeconfig and base64) and serialized once: every link that needs a write sends these bytes (docs/design/scale.md).
        /// </summary>
        public byte[] RenderedBytes() =>
            LazyInitializer.EnsureInitialized(ref _bytes, () => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Rendered()));

        /// <summary>The shared rendering, to compare with and to serialize (never to change): a converged link needs no copy.</summary>
        public JsonObject Rendered() =>
            LazyInitializer.EnsureInitialized(ref _remoteSecret, () => RemoteSecretRenderer.Render(
                new RemoteSecretSource(Member.ClusterName, Server, Credential!.CertificateAuthority, Credential.Token) { Namespace = Ns }));

        public required MeshMember Member { get; init; }

        private string? _secretName;
        private string? _linkServer;

        /// <summary>The remote secret's name in every target; made once per source, not per link (docs/design/scale.md).</summary>
        public string SecretName => _secretName ??= RemoteSecretRenderer.SecretName(Member.ClusterName);

        /// <summary>The server every link of this source reports (user info redacted), once per source.</summary>
        public string LinkServer => _linkServer ??=
            Server.Length > 0 ? MeshErrors.RedactUserInfo(Server) : Member.Target.Cluster.Server;
    }

    private static async Task<Dictionary<MeshMember, SourceState>> PrepareSourcesAsync(IReadOnlyList<MeshMember> members,
        MeshRequest request, bool write, IMeshSink sink, CancellationToken ct)
    {
        var states = members.ToDictionary(m => m, m => new SourceState { Member = m });
        var reachable = members.Where(m => m.Unreachable is null).ToArray();
        var probeOptions = request.Kube with { Sink = request.Kube.Sink ?? sink };
        await BoundedFanOut.RunAsync(reachable, request.ThrottleLimit, sink, 2, "Preparing reader tokens", m => m.Context,
            async (member, token) =>
            {
                var state = states[member];
                state.Server = ServerFor(member, request);
                if (RemoteSecretRenderer.UnreachableServerReason(state.Server) is { } reason)
                {
                    sink.Warning($"Remote secrets for '{member.ClusterName}' point at {MeshErrors.RedactUserInfo(state.Server)}: " +
                                 $"{reason} Pass -ServerOverride @{{ '{member.ClusterName}' = 'https://<address>' }}.");
                }

                try
                {
                    state.Credential = await ReaderIdentity.EnsureAsync(member, write, state.Planned, request.TokenWait, sink, token)
                        .ConfigureAwait(false);
                    if (state.Credential is not null && write && !sink.WhatIf)
                    {
                        (state.Status, state.Detail) = await LinkProbe.ProbeAsync(member, state.Credential, probeOptions, token)
                            .ConfigureAwait(false);
                        if (state.Status == MeshLinkStatus.Unauthorized &&
                            await ReaderIdentity.ReissueAsync(member, state.Credential, request.TokenWait, sink, token)
                                .ConfigureAwait(false) is { } fresh)
                        {
                            // The old token is dead (docs/design/reader-tokens.md): every remote secret of this source
                            // now differs from the rendered one and is rewritten below.
                            state.Credential = fresh;
                            (state.Status, state.Detail) = await LinkProbe.ProbeAsync(member, fresh, probeOptions, token)
                                .ConfigureAwait(false);
                        }
                    }
                }
                catch (MeshException error)
                {
                    state.Failure = error;
                }

                return state;
            }, ct).ConfigureAwait(false);
        return states;
    }

    // -ServerOverride keys were resolved to members (context, Istio cluster name or short name) before any write.
    private static string ServerFor(MeshMember member, MeshRequest request) =>
        member.ServerOverride ?? member.Target.Cluster.Server;

    private static async Task<IReadOnlyList<MeshLink>> WireLinksAsync(IReadOnlyList<MeshMember> members,
        Dictionary<MeshMember, SourceState> sources, MeshRequest request, IMeshSink sink, CancellationToken ct)
    {
        var pairs = (from s in members from t in members where !ReferenceEquals(s, t) select (Source: s, Target: t)).ToArray();
        var links = new MeshLink[pairs.Length];
        var finished = 0;
        var lastProgress = System.Environment.TickCount64;
        const string activity = "Wiring links";
        sink.Progress(3, -1, activity, $"0 of {pairs.Length}", 0, false);

        // Every target is wired at once, each by at most -ThrottleLimit workers, so no API server has more than that
        // many of our writes in flight while a fleet's servers all work in parallel (docs/design/scale.md).
        async Task WireTarget(int[] indexes)
        {
            var next = -1;
            async Task Worker()
            {
                int slot;
                while ((slot = Interlocked.Increment(ref next)) < indexes.Length)
                {
                    var index = indexes[slot];
                    var (source, target) = pairs[index];
                    links[index] = await WireAsync(source, target, sources[source], request, sink, ct).ConfigureAwait(false);
                    var count = Interlocked.Increment(ref finished);
                    // The status text is only made when the cmdlet would show it (at most every 100 ms, as
                    // ProgressThrottle, and the last link): a string per link was 62,250 of them at 250 clusters.
                    var last = Interlocked.Read(ref lastProgress);
                    var now = System.Environment.TickCount64;
                    if (count < pairs.Length && (now - last < 100 || Interlocked.CompareExchange(ref lastProgress, now, last) != last))
                    {
                        continue;
                    }

                    sink.Progress(3, -1, activity, $"{source.ClusterName} -> {target.ClusterName} ({count} of {pairs.Length})",
                        count * 100 / Math.Max(1, pairs.Length), false);
                }
            }

            var workers = Math.Min(Math.Max(1, request.ThrottleLimit), indexes.Length);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker, ct))).ConfigureAwait(false);
        }

        try
        {
            var byTarget = Enumerable.Range(0, pairs.Length).GroupBy(i => pairs[i].Target).Select(g => g.ToArray());
            await Task.WhenAll(byTarget.Select(WireTarget)).ConfigureAwait(false);
        }
        finally
        {
            sink.Progress(3, -1, activity, "done", 100, true);
        }

        return links;
    }

    private static async Task<MeshLink> WireAsync(MeshMember source, MeshMember target, SourceState state,
        MeshRequest request, IMeshSink sink, CancellationToken ct)
    {
        // Made only for an error record or a message: at 250 clusters a converged link makes no string at all.
        string Name() => $"{source.ClusterName} -> {target.ClusterName}";
        MeshLink Link(MeshLinkStatus status, MeshLinkOutcome outcome, string? detail) => new()
        {
            Source = source.ClusterName,
            Target = target.ClusterName,
            SourceContext = source.Context,
            TargetContext = target.Context,
            SecretName = state.SecretName,
            Server = state.LinkServer,
            Status = status,
            Outcome = outcome,
            TokenCreated = state.Credential?.Created == true,
            Detail = detail,
        };

        // Every link that does not end Connected (or Planned, when nothing was to be proven) is an error record, so
        // -ErrorAction Stop runbooks stop on a link istiod cannot use.
        MeshLink Proven(MeshLink link)
        {
            var error = link.Status switch
            {
                MeshLinkStatus.Unauthorized => MeshErrors.MeshLinkUnauthorized(Name(), source.ClusterName),
                MeshLinkStatus.Forbidden => MeshErrors.MeshLinkForbidden(Name(), link.Detail ?? "may not list services or endpoints."),
                MeshLinkStatus.Unreachable => MeshErrors.MeshLinkClusterUnreachable(Name(), source.Context,
                    MeshErrors.FirstLine(link.Detail ?? ""), null),
                MeshLinkStatus.Failed => MeshErrors.MeshLinkFailed(Name(), "the link proof failed: " + MeshErrors.FirstLine(link.Detail ?? ""), null),
                _ => null,
            };
            if (error is not null)
            {
                sink.Error(error);
            }

            return link;
        }

        if ((source.Unreachable ?? target.Unreachable) is { } unreachable)
        {
            var context = source.Unreachable is not null ? source.Context : target.Context;
            sink.Error(MeshErrors.MeshLinkClusterUnreachable(Name(), context, MeshErrors.FirstLine(unreachable.Message), unreachable));
            return Link(MeshLinkStatus.Unreachable, MeshLinkOutcome.Skipped, $"'{context}' is unreachable.");
        }

        if (state.Failure is { } failure)
        {
            sink.Error(MeshLinkErrors.For(Name(), source.Context, failure,
                $"the reader identity of '{source.ClusterName}' could not be prepared: "));
            return Link(MeshLinkStatus.Failed, MeshLinkOutcome.Skipped, failure.ErrorId);
        }

        if (state.Credential is null)
        {
            // -WhatIf (or a declined confirmation) before the token existed: nothing to compare with yet, but the
            // secret would certainly be created, so -WhatIf lists it like every other write (declined: no prompt).
            var planned = $"Secret {Ns}/{RemoteSecretRenderer.SecretName(source.ClusterName)} in context '{target.Context}' " +
                          $"(lets istiod in '{target.ClusterName}' read '{source.ClusterName}'; its token does not exist yet)";
            if (sink.WhatIf)
            {
                sink.ShouldProcess(planned, "Create remote secret");
            }
            else
            {
                sink.Verbose($"[{target.Context}] Would create {planned}.");
            }

            return Link(MeshLinkStatus.Planned, MeshLinkOutcome.Skipped, "The reader token does not exist yet.");
        }

        try
        {
            var live = target.RemoteSecret(state.SecretName);
            if (RemoteSecrets.IsCurrent(live, state.Rendered()))
            {
                return Proven(Link(sink.WhatIf ? MeshLinkStatus.Planned : state.Status, MeshLinkOutcome.Unchanged, state.Detail));
            }

            var action = live is null ? "Create remote secret" : "Update remote secret";
            if (!sink.ShouldProcess($"Secret {Ns}/{RemoteSecretRenderer.SecretName(source.ClusterName)} in context '{target.Context}' " +
                                    $"(lets istiod in '{target.ClusterName}' read '{source.ClusterName}')", action))
            {
                return Link(MeshLinkStatus.Planned, MeshLinkOutcome.Skipped, null);
            }

            // force: take over fields another manager (kubectl apply of istioctl output) set before.
            await target.Session!.ApplyRenderedAsync(state.Rendered(), state.RenderedBytes(), force: true, ct).ConfigureAwait(false);
            if (sink.ShowsVerbose)
            {
                sink.Verbose($"[{target.Context}] {(live is null ? "Created" : "Updated")} Secret {Ns}/{state.SecretName}.");
            }

            return Proven(Link(state.Status, live is null ? MeshLinkOutcome.Created : MeshLinkOutcome.Configured, state.Detail));
        }
        catch (MeshException error)
        {
            var status = MeshLinkErrors.IsUnreachable(error) ? MeshLinkStatus.Unreachable : MeshLinkStatus.Failed;
            sink.Error(MeshLinkErrors.For(Name(), target.Context, error));
            return Link(status, MeshLinkOutcome.Skipped, error.ErrorId);
        }
    }

    /// <summary>
    /// -RemoveStale: a remote secret under another name that serves a mesh cluster (same key, server or CA — asmcli
    /// names them after the kubeconfig context) is deleted; istiod loads a cluster once, so it may pick the stale one.
    /// Without -RemoveStale the pre-flight already refused (the stale-secret rule, docs/design/rules.md).
    /// </summary>
    private static async Task HandleStaleAsync(IReadOnlyList<MeshMember> members, MeshRequest request, IMeshSink sink,
        CancellationToken ct)
    {
        if (!request.RemoveStale)
        {
            return;
        }

        var snapshots = members.Select(m => m.Snapshot!).ToArray();
        foreach (var target in members.Where(m => m.Unreachable is null))
        {
            foreach (var source in members.Where(m => !ReferenceEquals(m, target) && m.Unreachable is null))
            {
                var current = RemoteSecretRenderer.SecretName(source.ClusterName);
                foreach (var secretName in Check.RemoteSecretChecks.StaleSecrets(target.Snapshot!, source.Snapshot!, snapshots,
                             ServersOf(source, request), current))
                {
                    if (sink.ShouldProcess($"Secret {Ns}/{secretName} in context '{target.Context}'", "Delete stale remote secret"))
                    {
                        await target.Session!.DeleteAsync("v1", "Secret", Ns, secretName, cancellationToken: ct).ConfigureAwait(false);
                        sink.Verbose($"[{target.Context}] Deleted stale remote secret {Ns}/{secretName} (it served '{source.ClusterName}').");
                    }
                }
            }
        }
    }

    /// <summary>The addresses remote secrets may use for a cluster: the one New-Mesh writes and the kubeconfig's.</summary>
    internal static IReadOnlyCollection<string> ServersOf(MeshMember member, MeshRequest request) =>
        new[] { ServerFor(member, request), member.Target.Cluster.Server }.Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>-ManifestOnly: the reader objects that are missing, and with -IncludeCredentials the remote secrets.</summary>
    private static IReadOnlyList<string> RenderManifests(IReadOnlyList<MeshMember> members, Dictionary<MeshMember, SourceState> sources,
        MeshRequest request, IMeshSink sink)
    {
        var documents = new List<string>();
        foreach (var member in members.Where(m => m.Unreachable is null))
        {
            var state = sources[member];
            if (state.Planned.Count > 0)
            {
                documents.Add($"# Context: {member.Context} (reader identity of {member.ClusterName})\n" + ManifestYaml.Serialize(state.Planned));
            }
        }

        if (!request.IncludeCredentials)
        {
            sink.Verbose("Remote secrets hold service-account tokens; they are emitted only with -IncludeCredentials.");
            return documents;
        }

        foreach (var target in members.Where(m => m.Unreachable is null))
        {
            var secrets = new List<JsonObject>();
            foreach (var source in members.Where(m => !ReferenceEquals(m, target) && m.Unreachable is null))
            {
                var state = sources[source];
                if (state.Credential is null)
                {
                    sink.Warning($"The reader token of '{source.ClusterName}' does not exist yet, so its remote secret for " +
                                 $"'{target.ClusterName}' cannot be rendered; apply the reader manifests first.");
                    continue;
                }

                secrets.Add(RemoteSecretRenderer.Render(new RemoteSecretSource(source.ClusterName, state.Server,
                    state.Credential.CertificateAuthority, state.Credential.Token) { Namespace = Ns }));
            }

            if (secrets.Count > 0)
            {
                documents.Add($"# Context: {target.Context} (remote secrets; they contain credentials)\n" + ManifestYaml.Serialize(secrets));
            }
        }

        return documents;
    }

    /// <summary>A sink that declines every change: -ManifestOnly reads and renders but never writes, not even a registration.</summary>
    private sealed class DecliningSink(IMeshSink inner) : IMeshSink
    {
        public void Verbose(string message) => inner.Verbose(message);
        public void Debug(string message) => inner.Debug(message);
        public void Warning(string message) => inner.Warning(message);
        public void Information(string message, string[] tags) => inner.Information(message, tags);
        public void Progress(int activityId, int parentId, string activity, string status, int percent, bool completed) =>
            inner.Progress(activityId, parentId, activity, status, percent, completed);
        public bool ShouldProcess(string target, string action) => false;
        public bool WhatIf => inner.WhatIf;
        public bool ShowsVerbose => inner.ShowsVerbose;
        public bool ShowsDebug => inner.ShowsDebug;
        public void Error(MeshException error) => inner.Error(error);
    }
}
