using System.Management.Automation;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Test-MeshConnectivity: runbook step 6. By default, reads every cluster and reports one MeshCheck per check (per
/// cluster, then per ordered link), each failure with the step that fixes it. -Traffic also deploys Istio's
/// helloworld/sleep verification workload and reports what every client reached (MeshTrafficResult).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MeshConnectivity", SupportsShouldProcess = true)]
[OutputType(typeof(MeshCheck), typeof(MeshTrafficResult), typeof(bool))]
public sealed class TestMeshConnectivityCommand : MeshProbeCmdlet, IDynamicParameters
{
    /// <summary>
    /// The istiod revision whose CLUSTER_ID names each cluster, when a cluster runs several with different ones
    /// (docs/design/rules.md); default: the Revision of the piped object, else the one CLUSTER_ID all istiods share.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    /// <summary>Also run the traffic test (deploys helloworld and a sleep client in namespace sample of every cluster).</summary>
    [Parameter]
    public SwitchParameter Traffic { get; set; }

    /// <summary>Calls from each client with -Traffic.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int Requests { get; set; } = 10;

    /// <summary>helloworld image; {0} is replaced by the version (v1, v2, ...). Use a mirror for clusters without internet access.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string HelloworldImage { get; set; } = Engine.Steps.Traffic.TrafficOptions.DefaultHelloworldImage;

    /// <summary>Image of the sleep client (must contain curl).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ClientImage { get; set; } = Engine.Steps.Traffic.TrafficOptions.DefaultClientImage;

    /// <summary>Namespace of the verification workload.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "sample";

    /// <summary>Leave the verification workload (-Traffic) and the probe pods (in-cluster probes) in place afterwards.</summary>
    [Parameter]
    public SwitchParameter KeepWorkload { get; set; }

    /// <summary>Return only $true (everything passed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Repeat the checks until all pass or -TimeoutSec runs out.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Seconds for -Wait to keep trying, and for the -Traffic workload to become ready.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>Seconds allowed for each API server request, retries included.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int RequestTimeoutSec { get; set; } = RequestTimeout.DefaultSeconds;

    /// <summary>Clusters may share a network id (GKE clusters on one VPC): a shared id is a warning, not a failure, as with New-Mesh -AllowSharedNetwork.</summary>
    [Parameter]
    public SwitchParameter AllowSharedNetwork { get; set; }

    /// <summary>
    /// Do not read istiod's own view (/debug/clusterz through pods/exec into every istiod pod): the IstiodRemoteClusters
    /// and RemoteClusterSync checks are then left out.
    /// </summary>
    [Parameter]
    public SwitchParameter SkipIstiodView { get; set; }

    /// <summary>Do not check fleet memberships in GKE Hub (no Google credentials needed).</summary>
    [Parameter]
    public SwitchParameter SkipFleetCheck { get; set; }

    // -AccessToken and -GkeHubEndpoint (the fleet check reads GKE Hub only): declared once, in GkeHubParameters.
    private readonly GkeHubParameters _google = new();

    public object GetDynamicParameters() => _google;

    /// <summary>Warn about reader token Secrets older than this many days (Update-MeshLinkCredential rotates them).</summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int ReaderTokenMaxAgeDays { get; set; } = 90;

    /// <summary>Also write a JUnit XML report to this file: one testcase per check and per traffic pair (docs/design/ci-output.md).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JUnitPath { get; set; }

    /// <summary>
    /// After writing every result, stop with one terminating error (HybridMesh.ConnectivityCheckFailed) when a check
    /// is Failed (or, with Warning, Failed or Warning), or a traffic client missed a version: a runbook run with
    /// pwsh -File then exits 1.
    /// </summary>
    [Parameter]
    [ValidateSet("Failed", "Warning")]
    public string? FailOn { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        var started = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<MeshTrafficResult> trafficResults = [];
        var trafficChecks = new List<MeshCheck>();

        var targets = Targets.ToArray();
        var kube = new Engine.Kube.KubeSessionOptions { Timeout = TimeSpan.FromSeconds(RequestTimeoutSec) };
        var options = new Engine.Steps.Check.MeshCheckOptions
        {
            Kube = kube,
            ReaderTokenMaxAge = TimeSpan.FromDays(ReaderTokenMaxAgeDays),
            ThrottleLimit = ThrottleLimit,
            AllowSharedNetwork = AllowSharedNetwork,
            IstiodView = !SkipIstiodView,
            Probes = InClusterProbe(KeepWorkload, TimeSpan.FromSeconds(Math.Min(TimeoutSec, 90))),
            Google = SkipFleetCheck ? null : _google.ToOptions(),
        };

        var deadline = DateTime.UtcNow.AddSeconds(TimeoutSec);
        IReadOnlyList<MeshCheck> checks;
        var round = 1;
        while (true)
        {
            checks = RunEngine((sink, token) => Engine.Steps.Check.MeshChecker.RunAsync(targets, options, sink, token));
            if (!Wait || Engine.Steps.Check.MeshChecker.AllPassed(checks) || DateTime.UtcNow >= deadline)
            {
                break;
            }

            WriteVerbose($"Round {round++}: {Engine.Steps.Check.MeshChecker.Summary(checks)} Trying again.");
            if (StopToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(2)))
            {
                throw new PipelineStoppedException();
            }
        }

        var passed = Engine.Steps.Check.MeshChecker.AllPassed(checks);
        WriteInformation(Engine.Steps.Check.MeshChecker.Summary(checks), ["HybridMesh", "Summary"]);
        if (!Quiet)
        {
            foreach (var check in checks)
            {
                WriteObject(check);
            }
        }

        // -Traffic creates a namespace and workloads in every cluster: one ShouldProcess per cluster, and the test runs
        // only when every cluster agreed (each cluster serves one version), so -WhatIf sends nothing but reads.
        var answers = Traffic
            ? targets.Select(t => ShouldProcess($"namespace {Namespace} @ {t.Context}",
                $"Deploy helloworld and sleep, call helloworld {Requests} time(s), then remove them")).ToArray()
            : [];
        var trafficAllowed = Traffic && answers.All(a => a);
        if (Traffic && !trafficAllowed)
        {
            // No traffic verdict without the traffic test: -Quiet must not say True for what was not checked.
            WriteVerbose("The traffic test was not run (-WhatIf, or a cluster was declined).");
            passed = false;
        }

        if (trafficAllowed)
        {
            var traffic = new Engine.Steps.Traffic.TrafficOptions
            {
                Namespace = Namespace,
                HelloworldImage = HelloworldImage,
                ClientImage = ClientImage,
                Requests = Requests,
                ReadyTimeout = TimeSpan.FromSeconds(TimeoutSec),
                KeepWorkload = KeepWorkload,
                Kube = kube,
                ThrottleLimit = ThrottleLimit,
            };
            var results = RunEngine((sink, token) => Engine.Steps.Traffic.TrafficTester.RunAsync(targets, traffic, sink, token));
            trafficResults = results;
            trafficChecks.AddRange(Engine.Steps.Traffic.TrafficExecChecks.From(results));
            var reachedAll = results.Count(r => r.Passed);
            WriteInformation($"Traffic: {reachedAll} of {targets.Length} client(s) reached every version.", ["HybridMesh", "Summary"]);
            passed = passed && results.Count == targets.Length && results.All(r => r.Passed);
            if (!Quiet)
            {
                foreach (var result in results)
                {
                    WriteObject(result);
                }

                // Clients that could not be asked: a failed check with the fix (docs/design/istiod-view.md).
                foreach (var check in trafficChecks)
                {
                    WriteObject(check);
                }
            }
        }

        if (Quiet)
        {
            WriteObject(passed);
        }

        var allChecks = checks.Concat(trafficChecks).ToArray();
        if (JUnitPath is not null)
        {
            WriteJUnit(allChecks, trafficResults, clock.Elapsed, started);
        }

        if (FailOn is not null)
        {
            // Every result is written first, so the log of a failed runbook still shows each check and its fix.
            MeshCheckStatus[] worst = FailOn == "Warning" ? [MeshCheckStatus.Failed, MeshCheckStatus.Warning] : [MeshCheckStatus.Failed];
            var failing = allChecks.Where(c => worst.Contains(c.Status)).Select(c => c.ToString())
                .Concat(trafficResults.Where(r => !r.Passed).Select(r => r.Missing.Length > 0
                    ? $"Traffic {r.From}: missed {string.Join(",", r.Missing)}"
                    : $"Traffic {r.From}: no answer"))
                .ToArray();
            if (Traffic && !trafficAllowed)
            {
                failing = [.. failing, "Traffic: not run (-WhatIf, or a cluster was declined)"];
            }

            if (failing.Length > 0)
            {
                ThrowMeshError(Engine.Errors.MeshErrors.ConnectivityCheckFailed(FailOn, failing, allChecks.Length + trafficResults.Count));
            }
        }
    }

    private void WriteJUnit(IReadOnlyList<MeshCheck> checks, IReadOnlyList<MeshTrafficResult> traffic, TimeSpan duration, DateTimeOffset started)
    {
        // A report is a local file, not a cluster change: written under -WhatIf too, so a dry CI run still has its report.
        var path = ResolvePath(JUnitPath!);
        var xml = Engine.Steps.Report.JUnitReport.Render(checks, traffic, duration, started);
        try
        {
            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(path, xml, new System.Text.UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Every result is already written; a CI job must still fail when its report is missing.
            ThrowMeshError(Engine.Errors.MeshErrors.ReportNotWritten(path, ex.Message));
        }

        WriteVerbose($"JUnit report: {path}");
    }
}
