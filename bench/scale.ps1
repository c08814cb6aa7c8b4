<#
.SYNOPSIS
    Fleet scale: every runbook step on 2, 20, 100 and 250 lab clusters with 50 ms injected API latency, against the
    documented sequential kubectl procedure on the same lab (issue 13; docs/design/scale.md).
.DESCRIPTION
    For each size N a child pwsh (so that its peak memory is the module's, not the previous size's) starts a lab of N
    clusters (Start-MeshLab), adds a 50 ms latency fault to every request of every cluster, and times:
    Get-MeshEnvironment, Install-EastWestGateway, Publish-MeshService, New-Mesh from scratch, New-Mesh again (every
    link must be Unchanged and the lab must count zero writes), and Test-MeshConnectivity (checks, no traffic).
    Requests per link are counted by the lab (its control API) during the first New-Mesh.
    The sequential procedure (per ordered pair: apply the reader token Secret in S, read it back, apply the remote
    secret in T, each a kubectl call) runs on -SequentialSample links of the first lab of at least 20 clusters; its
    time per link, times each size's link count, over New-Mesh's time gives the ratio.
    Wall times are printed, never asserted: the machine is shared (2 cores, other builds running).
.PARAMETER Quick
    Only 2 and 20 clusters.
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    [string] $ModuleDirectory,
    [string] $Configuration = 'Release',
    [int[]] $Sizes = @(2, 20, 100, 250),
    [switch] $Quick,
    [int] $LatencyMs = 50,
    [int] $SequentialSample = 20,
    # Passed to every cmdlet when given (default: each cmdlet's own default, which the goals are about).
    [int] $ThrottleLimit,
    # Test-MeshConnectivity -RequestTimeoutSec when given: on a 2-core machine at load 50-90 one answer of the lab's
    # simulated istiod (clusterz) at 100 clusters can take longer than the default 10 s.
    [int] $CheckRequestTimeoutSec,
    # Internal: run one size in this process and print its row as JSON.
    [int] $Worker,
    [double] $SequentialPerLink
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Set-StrictMode -Version Latest
# No bench process may probe the cloud metadata server (build.ps1 sets it too; Start-MeshLab points it at the fleet).
if (-not $env:GCE_METADATA_HOST) { $env:GCE_METADATA_HOST = '127.0.0.1:9' }
if (-not $ModuleDirectory) { $ModuleDirectory = Get-ChildItem (Join-Path $Root 'out/Modules/HybridMesh') -Directory | Select-Object -Last 1 -ExpandProperty FullName }

if (-not $Worker) {
    if ($Quick) { $Sizes = @(2, 20) }
    if (-not (Get-Command kubectl -ErrorAction SilentlyContinue)) { throw 'kubectl is needed for the sequential comparison.' }
    # The same pwsh as this one (under `dotnet pwsh`, the local tool, that is dotnet running pwsh.dll).
    $pwsh = [Environment]::ProcessPath
    [string[]] $hostArgs = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
    $perLink = $null
    $rows = foreach ($size in $Sizes) {
        $arguments = @('-NoProfile', '-File', $PSCommandPath, '-Root', $Root, '-ModuleDirectory', $ModuleDirectory,
            '-Worker', $size, '-LatencyMs', $LatencyMs, '-SequentialSample', $SequentialSample)
        if ($ThrottleLimit) { $arguments += @('-ThrottleLimit', $ThrottleLimit) }
        if ($CheckRequestTimeoutSec) { $arguments += @('-CheckRequestTimeoutSec', $CheckRequestTimeoutSec) }
        if ($perLink) { $arguments += @('-SequentialPerLink', $perLink) }
        $output = & $pwsh @hostArgs @arguments 2>&1
        if ($LASTEXITCODE) { throw "scale bench at $size clusters failed: $($output -join "`n")" }
        $row = ($output | Where-Object { "$_".StartsWith('{"Clusters"') } | Select-Object -Last 1) | ConvertFrom-Json
        if (-not $perLink -and $row.SequentialPerLink) { $perLink = $row.SequentialPerLink }
        $row
    }
    $table = foreach ($row in $rows) {
        $sequential = if ($perLink) { $perLink * $row.Links } else { $null }
        [pscustomobject][ordered]@{
            Clusters           = $row.Clusters
            Links              = $row.Links
            'Lab start (s)'    = $row.LabStart
            'Environment (s)'  = $row.Environment
            'Gateways (s)'     = $row.Gateways
            'Services (s)'     = $row.Services
            'New-Mesh (s)'     = $row.NewMesh
            'Re-run (s)'       = $row.Rerun
            'Re-run writes'    = $row.RerunWrites
            'Checks (s)'       = $row.Checks
            'Check warnings/errors' = "$($row.CheckWarnings)/$($row.CheckErrors)"
            'Requests/link'    = $row.RequestsPerLink
            'CPU s module/lab: New-Mesh' = $row.CpuNewMesh
            'Re-run'           = $row.CpuRerun
            'Checks'           = $row.CpuChecks
            'Peak MB New-Mesh' = $row.PeakMB
            'Peak MB checks'   = $row.ChecksPeakMB
            'Lab MB'           = $row.LabMB
            'kubectl ratio'    = if ($sequential) { [Math]::Round($sequential / $row.NewMesh, 0) } else { $null }
        }
    }
    $table | Format-Table -Property @($table[0].psobject.Properties.Name) -AutoSize | Out-String -Width 300 | Write-Host
    foreach ($row in $rows) { foreach ($kind in @($row.WarningKinds)) { if ($kind) { Write-Host "scale: $($row.Clusters) clusters, warnings: $kind" } } }
    if ($perLink) { Write-Host ("scale: sequential kubectl procedure {0:n3} s per link (measured on {1} links); the ratio is its time for all links over New-Mesh's." -f $perLink, $SequentialSample) }
    Write-Host ('scale: {0} ms injected latency per request; {1} logical CPUs; load average {2}.' -f $LatencyMs, [Environment]::ProcessorCount,
        $(if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' } else { 'n/a' }))
    return
}

# ---- one size, in a child process ----
Import-Module (Join-Path $ModuleDirectory 'HybridMesh.psd1') -Force
$labModule = Join-Path (Split-Path (Split-Path $ModuleDirectory)) "HybridMesh.Lab/$(Split-Path $ModuleDirectory -Leaf)"
Import-Module (Join-Path $labModule 'HybridMesh.Lab.psd1') -Force

function Invoke-Kubectl([string] $Kubeconfig, [string] $Context, [string[]] $Arguments, [string] $InputText) {
    $output = if ($InputText) { $InputText | & kubectl --kubeconfig $Kubeconfig --context $Context @Arguments 2>&1 }
              else { & kubectl --kubeconfig $Kubeconfig --context $Context @Arguments 2>&1 }
    if ($LASTEXITCODE) { throw "kubectl $($Arguments -join ' ') failed: $output" }
    return ($output -join "`n")
}

# The documented wiring of one link: token Secret in S (apply), read it, apply the remote secret in T.
function Invoke-SequentialLink($Source, $Target) {
    $tokenSecret = @"
apiVersion: v1
kind: Secret
metadata:
  name: istio-reader-service-account-istio-remote-secret-token
  namespace: istio-system
  annotations:
    kubernetes.io/service-account.name: istio-reader-service-account
type: kubernetes.io/service-account-token
"@
    Invoke-Kubectl $Source.kubeconfig $Source.context @('apply', '-f', '-') $tokenSecret | Out-Null
    $data = Invoke-Kubectl $Source.kubeconfig $Source.context @('get', 'secret', '-n', 'istio-system',
        'istio-reader-service-account-istio-remote-secret-token', '-o', 'jsonpath={.data.ca\.crt} {.data.token}')
    $ca, $tokenB64 = $data -split ' '
    # The token stays in this pipeline; it is never printed.
    $token = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($tokenB64))
    $name = "seq-$($Source.clusterId)"
    $kubeconfig = @"
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster:
    certificate-authority-data: $ca
    server: $($Source.server)
contexts:
- name: $name
  context: {cluster: $name, user: $name}
current-context: $name
users:
- name: $name
  user:
    token: $token
"@
    # Its own name, so the module's links are left as they are.
    $remote = @"
apiVersion: v1
kind: Secret
metadata:
  name: bench-sequential-$name
  namespace: default
data:
  ${name}: $([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($kubeconfig)))
"@
    Invoke-Kubectl $Target.kubeconfig $Target.context @('apply', '-f', '-') $remote | Out-Null
}

# CPU seconds of the lab process so far (Linux /proc; 0 elsewhere): with the module's own CPU time it shows where a
# step's time goes on a machine whose cores are shared (docs/design/scale.md).
function Get-LabCpuSeconds {
    $stat = "/proc/$($script:lab.ProcessId)/stat"
    if (-not (Test-Path $stat)) { return 0 }
    $fields = (Get-Content -Raw $stat).Split(')')[1].Trim().Split(' ')
    return ([double]$fields[11] + [double]$fields[12]) / 100
}

function Measure-Step([scriptblock] $Step) {
    $self = [Diagnostics.Process]::GetCurrentProcess()
    $cpu = $self.TotalProcessorTime.TotalSeconds
    $labCpu = Get-LabCpuSeconds
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $result = @(& $Step)
    $seconds = [Math]::Round($watch.Elapsed.TotalSeconds, 2)
    $self.Refresh()
    return @{
        Seconds = $seconds; Result = $result
        Cpu = '{0:n1}/{1:n1}' -f ($self.TotalProcessorTime.TotalSeconds - $cpu), ((Get-LabCpuSeconds) - $labCpu)
    }
}

# The process's peak resident memory since the last reset (Linux: VmHWM, reset through /proc/self/clear_refs, so each
# step's own peak is seen; elsewhere the process's peak so far). A collection first, so a step does not inherit the
# previous step's garbage (docs/design/scale.md, "Memory").
function Reset-PeakMemory {
    [GC]::Collect()
    if (Test-Path /proc/self/clear_refs) {
        $refs = [IO.FileStream]::new('/proc/self/clear_refs', [IO.FileMode]::Open, [IO.FileAccess]::Write)
        try { $refs.Write([byte[]](0x35), 0, 1) } finally { $refs.Dispose() }
    }
}
function Get-PeakMemoryMB {
    if (Test-Path /proc/self/status) {
        return [Math]::Round(([int64]((Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value)) / 1KB, 0)
    }
    return [Math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 0)
}

function Get-LabRequestCount($Lab) { Invoke-RestMethod -Uri "$($Lab.ControlUrl)/requests" }
function Clear-LabRequestCount($Lab) { Invoke-RestMethod -Method Delete -Uri "$($Lab.ControlUrl)/requests" | Out-Null }

$size = $Worker
if ($ThrottleLimit) {
    foreach ($name in 'Get-MeshEnvironment', 'Install-EastWestGateway', 'Publish-MeshService', 'New-Mesh', 'Test-MeshConnectivity') {
        $PSDefaultParameterValues["${name}:ThrottleLimit"] = $ThrottleLimit
    }
}
if ($CheckRequestTimeoutSec) { $PSDefaultParameterValues['Test-MeshConnectivity:RequestTimeoutSec'] = $CheckRequestTimeoutSec }
$savedCache = $env:KUBECACHEDIR
$watch = [Diagnostics.Stopwatch]::StartNew()
# -MeshTraffic: istiods and kubelets answer as in a real mesh, so the checks run istiod's view and the in-cluster
# probes as a user's Test-MeshConnectivity does (without it every exec fails at once and is only a warning).
$lab = Start-MeshLab -Clusters $size -TimeoutSec 600 -MeshTraffic -Confirm:$false
$labStart = [Math]::Round($watch.Elapsed.TotalSeconds, 1)
try {
    $env:KUBECACHEDIR = Join-Path $lab.Path 'kube-cache'
    foreach ($cluster in $lab.Clusters) {
        Add-MeshLabFault $lab -Cluster $cluster.name -Kind Latency -DelayMs $LatencyMs -Confirm:$false
    }
    $clusters = Get-MeshCluster -Kubeconfig @($lab.Kubeconfig)
    $environment = Measure-Step { @($clusters | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId -WarningAction SilentlyContinue) }
    if ($environment.Result[0].Clusters.Count -ne $size) { throw "$size clusters: Get-MeshEnvironment returned $($environment.Result[0].Clusters.Count) clusters" }
    $gateways = Measure-Step { @($environment.Result | Install-EastWestGateway -Confirm:$false -WarningAction SilentlyContinue) }
    $services = Measure-Step { @($gateways.Result | Publish-MeshService -Confirm:$false -WarningAction SilentlyContinue) }

    Clear-LabRequestCount $lab
    Reset-PeakMemory
    $newMesh = Measure-Step { $environment.Result | New-Mesh -WarningAction SilentlyContinue }
    $requests = Get-LabRequestCount $lab
    $mesh = $newMesh.Result[0]
    $links = $mesh.Links.Count
    if ($links -ne $size * ($size - 1) -or $mesh.Connected -ne $links) { throw "$size clusters: $($mesh.Connected) of $links links connected" }

    Clear-LabRequestCount $lab
    $rerun = Measure-Step { $environment.Result | New-Mesh -WarningAction SilentlyContinue }
    $rerunWrites = (Get-LabRequestCount $lab).writes
    if (@($rerun.Result[0].Links | Where-Object Outcome -NE 'Unchanged').Count) { throw "$size clusters: the re-run changed links" }
    $newMeshPeak = Get-PeakMemoryMB
    $rerun.Result = $null

    Reset-PeakMemory
    # An error record of one cluster (e.g. a request that timed out on the loaded lab) is counted, not fatal.
    $checkErrors = [Collections.ArrayList]::new()
    $checks = Measure-Step { @($mesh | Test-MeshConnectivity -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable +checkErrors) }
    $failed = @($checks.Result | Where-Object Status -EQ 'Failed')
    if ($failed.Count) { throw "$size clusters: $($failed.Count) checks failed, first: $($failed[0].Check) $($failed[0].Detail)" }
    $checksPeak = Get-PeakMemoryMB
    $labPeak = if (Test-Path "/proc/$($lab.ProcessId)/status") {
        [Math]::Round(([int64]((Select-String -Path "/proc/$($lab.ProcessId)/status" -Pattern '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value)) / 1KB, 0)
    } else { [Math]::Round((Get-Process -Id $lab.ProcessId).PeakWorkingSet64 / 1MB, 0) }

    $perLink = $SequentialPerLink
    if (-not $perLink -and $size -ge 20) {
        $pairs = foreach ($s in $lab.Clusters) { foreach ($t in $lab.Clusters) { if ($s.name -ne $t.name) { , @($s, $t) } } }
        $sample = @($pairs | Select-Object -First ([Math]::Min($SequentialSample, $links)))
        $watch.Restart()
        foreach ($pair in $sample) { Invoke-SequentialLink $pair[0] $pair[1] }
        $perLink = $watch.Elapsed.TotalSeconds / $sample.Count
    }

    [ordered]@{
        Clusters = $size; Links = $links; LabStart = $labStart
        Environment = $environment.Seconds; Gateways = $gateways.Seconds; Services = $services.Seconds
        NewMesh = $newMesh.Seconds; Rerun = $rerun.Seconds; RerunWrites = $rerunWrites; Checks = $checks.Seconds
        CheckWarnings = @($checks.Result | Where-Object Status -EQ 'Warning').Count; CheckErrors = $checkErrors.Count
        # What the warnings say, grouped (names and numbers blanked), so a run with warnings shows its cause.
        WarningKinds = @($checks.Result | Where-Object Status -EQ 'Warning' | Group-Object {
                $detail = "$($_.Detail)" -replace "'[^']*'", "'…'" -replace 'hybridmesh-probe-\w+', 'hybridmesh-probe-…' -replace '\d+', 'N'
                "$($_.Check): $($detail.Substring(0, [Math]::Min(100, $detail.Length)))"
            } | Sort-Object Count -Descending | Select-Object -First 5 | ForEach-Object { "$($_.Count) × $($_.Name)" })
        CpuNewMesh = $newMesh.Cpu; CpuRerun = $rerun.Cpu; CpuChecks = $checks.Cpu
        RequestsPerLink = [Math]::Round($requests.total / [Math]::Max(1, $links), 2)
        PeakMB = $newMeshPeak; ChecksPeakMB = $checksPeak; LabMB = $labPeak
        SequentialPerLink = if ($perLink -and -not $SequentialPerLink) { [Math]::Round($perLink, 4) } else { $null }
    } | ConvertTo-Json -Compress | Write-Output
}
finally {
    Stop-MeshLab $lab -Confirm:$false
    $env:KUBECACHEDIR = $savedCache
}
