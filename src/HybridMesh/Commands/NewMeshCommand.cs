using System.Collections;
using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// New-Mesh: runbook step 5, endpoint discovery across every pair of clusters (replaces asmcli create-mesh).
/// Checks every cluster first (reachable, Istio installed, distinct Istio cluster names and networks, one shared
/// root, fleet membership), then writes in every target T a remote secret for every other cluster S and proves it.
/// </summary>
[Cmdlet(VerbsCommon.New, "Mesh", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Mesh), typeof(string), typeof(FileInfo))]
public sealed class NewMeshCommand : MeshTargetCmdlet, IDynamicParameters
{
    /// <summary>
    /// The istiod revision whose CLUSTER_ID names each cluster, when a cluster runs several with different ones
    /// (docs/design/rules.md); default: the Revision of the piped object, else the one CLUSTER_ID all istiods share.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    /// <summary>Allow several clusters on one network (only when their pods really reach each other directly).</summary>
    [Parameter]
    public SwitchParameter AllowSharedNetwork { get; set; }

    /// <summary>Istio cluster name (or context) → API server URL istiod elsewhere should use, for private or on-prem endpoints.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public Hashtable? ServerOverride { get; set; }

    /// <summary>Delete remote secrets that serve a mesh cluster under another name (for example asmcli's context-based names).</summary>
    [Parameter]
    public SwitchParameter RemoveStale { get; set; }

    /// <summary>Verify fleet membership only; never register an unregistered GKE cluster.</summary>
    [Parameter]
    public SwitchParameter SkipRegistration { get; set; }

    /// <summary>Skip the fleet membership check (no Google API call), for users without fleet API access.</summary>
    [Parameter]
    public SwitchParameter SkipFleetCheck { get; set; }

    /// <summary>Emit the YAML that would be applied instead of applying it; nothing is written.</summary>
    [Parameter]
    public SwitchParameter ManifestOnly { get; set; }

    /// <summary>With -ManifestOnly: include the remote secrets, which contain service-account tokens.</summary>
    [Parameter]
    public SwitchParameter IncludeCredentials { get; set; }

    /// <summary>With -ManifestOnly: write one YAML file per context into this folder instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    /// <summary>Seconds one Kubernetes request may take, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>After writing, wait until istiod in every target lists each written link's source as synced (IstiodSync on every MeshLink).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long -Wait waits for istiod, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>Deprecated name of -TimeoutSec (the -Wait window), accepted for one release with a warning.</summary>
    [Parameter(DontShow = true)]
    [ValidateRange(1, 3600)]
    public int WaitTimeoutSec { get; set; } = 60;

    /// <summary>
    /// Restart istiod (rollout restart of its Deployments) in every target where this run created or changed a remote
    /// secret, or, with -Wait, where istiod has not loaded its secrets; a High-impact change, confirmed separately.
    /// </summary>
    [Parameter]
    public SwitchParameter RestartIstiod { get; set; }

    // -AccessToken, -ResourceManagerEndpoint, -ContainerEndpoint, -GkeHubEndpoint: declared once, in GoogleParameters.
    private readonly GoogleParameters _google = new();

    public object GetDynamicParameters() => _google;

    protected override void BeginProcessing()
    {
        // Parameters that only shape -ManifestOnly output are refused without it, never ignored
        // (docs/design/gitops-manifests.md).
        if (OutputDirectory is not null && !ManifestOnly)
        {
            ThrowMeshError(Engine.Errors.MeshErrors.ManifestOnlyRequired("-OutputDirectory", "-ManifestOnly"));
        }

        base.BeginProcessing();
    }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var overrides = ToStringMap(ServerOverride);
        var (requestTimeout, waitTimeout) = Timeouts();

        var request = new Engine.Steps.Mesh.MeshRequest
        {
            Targets = Targets,
            FleetProjectId = string.IsNullOrEmpty(FleetProjectId) ? null : FleetProjectId,
            AllowSharedNetwork = AllowSharedNetwork,
            ServerOverride = overrides,
            RemoveStale = RemoveStale,
            SkipRegistration = SkipRegistration,
            SkipFleetCheck = SkipFleetCheck,
            ManifestOnly = ManifestOnly,
            IncludeCredentials = IncludeCredentials,
            ThrottleLimit = ThrottleLimit,
            Kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(requestTimeout) },
            Google = _google.ToOptions(),
        };

        Engine.Steps.Mesh.MeshResult result;
        try
        {
            result = RunEngine((sink, token) => Engine.Steps.Mesh.MeshCreator.NewMeshAsync(request, sink, token));
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
            return;
        }

        if (ManifestOnly)
        {
            var output = new ManifestOutput(this, OutputDirectory is null ? null : ResolvePath(OutputDirectory));
            foreach (var document in result.Manifests)
            {
                output.Write(ManifestOutput.ContextOf(document), document);
            }

            output.Complete();
            return;
        }

        var mesh = result.Mesh;
        // Under -WhatIf the Engine (asking the sink) waits for nothing and no restart is due: nothing was written.
        if (mesh is not null && (Wait || RestartIstiod))
        {
            mesh = SyncWithIstiod(mesh, request.Kube, waitTimeout);
        }

        WriteObject(mesh);
    }

    /// <summary>-Wait and -RestartIstiod (docs/design/istiod-view.md).</summary>
    private Mesh SyncWithIstiod(Mesh mesh, Engine.Kube.KubeSessionOptions kube, int waitTimeoutSec)
    {
        var targets = Targets.ToArray();
        IReadOnlyList<MeshLink> links = mesh.Links;
        var timeout = TimeSpan.FromSeconds(waitTimeoutSec);
        if (Wait)
        {
            links = RunEngine((sink, token) => Engine.Steps.Mesh.IstiodSyncWaiter.WaitAsync(targets, links, kube, timeout, sink, token));
        }

        if (RestartIstiod)
        {
            var stale = links.Where(l => l.Outcome != MeshLinkOutcome.Skipped &&
                                         (Wait ? l.IstiodSync == MeshLinkSync.NotLoaded : l.Outcome is MeshLinkOutcome.Created or MeshLinkOutcome.Configured))
                .Select(l => l.TargetContext).Distinct(StringComparer.Ordinal).ToArray();
            var restarted = 0;
            foreach (var target in targets.Where(t => stale.Contains(t.Context)))
            {
                var deployments = RunEngine((_, token) => Engine.Steps.Mesh.IstiodRestarter.DeploymentsAsync(target, kube, token));
                foreach (var deployment in deployments)
                {
                    if (ConfirmRestart($"Deployment istio-system/{deployment} in '{target.Context}'"))
                    {
                        RunEngine(async (_, token) =>
                        {
                            await Engine.Steps.Mesh.IstiodRestarter.RestartAsync(target, deployment, kube, token).ConfigureAwait(false);
                            return deployment;
                        });
                        restarted++;
                    }
                }
            }

            if (Wait && restarted > 0)
            {
                // The restarted targets' links are judged afresh, from what New-Mesh reported before waiting.
                var reset = mesh.Links.Select((l, i) => links[i].IstiodSync == MeshLinkSync.NotLoaded ? l : links[i]).ToArray();
                links = RunEngine((sink, token) => Engine.Steps.Mesh.IstiodSyncWaiter.WaitAsync(targets, reset, kube, timeout, sink, token));
            }
        }

        foreach (var link in links.Where(l => l.IstiodSync is MeshLinkSync.NotLoaded or MeshLinkSync.Unreachable))
        {
            WriteWarning($"{link.Source} -> {link.Target}: {link.Detail}");
        }

        return new Mesh(mesh.MeshId, mesh.FleetProjectId, mesh.Cluster, links);
    }

    /// <summary>
    /// (request timeout, -Wait window) in seconds. -TimeoutSec is the -Wait window (docs/design/parameters.md); until
    /// the next release a -TimeoutSec given without -Wait, or beside the old -WaitTimeoutSec, still means the request
    /// timeout it used to be, with a warning, and -WaitTimeoutSec still sets the window.
    /// </summary>
    private (int Request, int Wait) Timeouts()
    {
        var bound = MyInvocation.BoundParameters;
        var oldWait = bound.ContainsKey(nameof(WaitTimeoutSec));
        if (oldWait)
        {
            WriteWarning($"New-Mesh -WaitTimeoutSec is now named -TimeoutSec. Use -TimeoutSec {WaitTimeoutSec}; -WaitTimeoutSec goes away in the next release.");
        }

        if (bound.ContainsKey(nameof(TimeoutSec)) && (!Wait || oldWait))
        {
            return (RequestTimeout.Seconds(this, RequestTimeoutSec, TimeoutSec), oldWait ? WaitTimeoutSec : 60);
        }

        return (RequestTimeoutSec, oldWait ? WaitTimeoutSec : TimeoutSec);
    }

    /// <summary>Restarting istiod is High impact: ShouldProcess, then a prompt unless -Confirm:$false or $ConfirmPreference is None.</summary>
    private bool ConfirmRestart(string target)
    {
        if (!ShouldProcess(target, "Restart istiod (rollout restart)"))
        {
            return false;
        }

        if (MyInvocation.BoundParameters.ContainsKey("Confirm"))
        {
            return true; // -Confirm:$true already asked in ShouldProcess; -Confirm:$false means do not ask
        }

        var preference = GetVariableValue("ConfirmPreference") is ConfirmImpact p ? p : ConfirmImpact.High;
        return preference == ConfirmImpact.None ||
               ShouldContinue($"Restart istiod: {target}? Its pods are replaced one by one.", "Confirm High-impact change");
    }

}
