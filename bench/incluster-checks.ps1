<#
.SYNOPSIS
    Test-MeshConnectivity on 20 lab clusters with the in-cluster checks - istiod's view (one exec per istiod pod) and
    the in-cluster probes (one probe pod and one exec per cluster), all clusters at once - against -SkipIstiodView
    -SkipInClusterProbe; prints both wall times and the ratio. Goal: under 2x.
.DESCRIPTION
    The lab starts with --mesh-traffic (its istiods answer /debug/clusterz), New-Mesh wires every ordered pair, and
    then each variant runs -Warmup times unmeasured and -Runs times measured (median kept), in alternation. The fleet check
    is skipped in both (it is the same in both and needs Google credentials).
    Module and lab share the machine's cores, and with the in-cluster checks the lab also does what the clusters' own
    pods and istiods would do (each probe pod's curl calls, istiod's answers), so the script also prints the CPU
    seconds each process used per run (median): the module's figure is its own added work
    (docs/design/in-cluster-probes.md, "The cost"). `uptime`'s load average is printed with the figures.
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    [string] $ModuleDirectory,
    [string] $Configuration = 'Release',
    [int] $Clusters = 20,
    [int] $Runs = 3,
    # Unmeasured runs of each variant first: the in-cluster checks run code that New-Mesh and the checks without them
    # do not, so without a warm-up the "with" runs also pay the JIT's first compilations of it (0: measure cold).
    [int] $Warmup = 1,
    # Creation to Running of a probe pod in the lab (0: the lab's default, 30 ms); a real cluster takes about 1-3 s.
    [int] $PodStartMs = 0
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$labDll = Join-Path $Root "src/HybridMesh.Lab/bin/$Configuration/net10.0/HybridMesh.Lab.dll"
if (-not (Test-Path $labDll)) {
    & dotnet build (Join-Path $Root 'src/HybridMesh.Lab/HybridMesh.Lab.csproj') -c $Configuration --nologo -v quiet | Out-Host
    if ($LASTEXITCODE) { throw "building the lab failed ($LASTEXITCODE)" }
}
if (-not $ModuleDirectory) { $ModuleDirectory = Get-ChildItem (Join-Path $Root 'out/Modules/HybridMesh') -Directory | Select-Object -Last 1 -ExpandProperty FullName }
Import-Module (Join-Path $ModuleDirectory 'HybridMesh.psd1') -Force
if (-not $env:GCE_METADATA_HOST) { $env:GCE_METADATA_HOST = '127.0.0.1:9' }

$dir = Join-Path ([IO.Path]::GetTempPath()) ("hm-bench-istiod-{0}" -f (Get-Random))
New-Item -ItemType Directory -Path $dir | Out-Null
$process = Start-Process -FilePath 'dotnet' -PassThru -RedirectStandardOutput (Join-Path $dir 'lab.out') -RedirectStandardError (Join-Path $dir 'lab.err') `
    -ArgumentList (@($labDll, '--clusters', $Clusters, '--out', $dir, '--parent-pid', $PID, '--mesh-traffic') + $(if ($PodStartMs -gt 0) { @('--pod-start-ms', $PodStartMs) } else { @() }))
try {
    $labJson = Join-Path $dir 'lab.json'
    $deadline = [DateTime]::UtcNow.AddSeconds(180)
    while (-not (Test-Path $labJson)) {
        if ($process.HasExited) { throw "The lab exited early: $(Get-Content -Raw (Join-Path $dir 'lab.err'))" }
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The lab did not start.' }
        Start-Sleep -Milliseconds 100
    }
    Start-Sleep -Milliseconds 50
    $lab = Get-Content -Raw $labJson | ConvertFrom-Json
    $env:HYBRIDMESH_GOOGLE_API_ENDPOINT = $lab.fleet.url
    $env:GOOGLE_APPLICATION_CREDENTIALS = $lab.fleet.credentialFile

    $meshClusters = Get-MeshCluster -Kubeconfig @($lab.clusters.kubeconfig)
    $mesh = $meshClusters | New-Mesh -FleetProjectId $lab.fleet.projectId -AllowSharedNetwork -Confirm:$false -WarningAction SilentlyContinue
    if ($mesh.Connected -ne $mesh.Links.Count) { throw "only $($mesh.Connected) of $($mesh.Links.Count) links connected" }

    $with = [Collections.Generic.List[double]]::new()
    $without = [Collections.Generic.List[double]]::new()
    $cpu = @{ ModuleWith = [Collections.Generic.List[double]]::new(); ModuleWithout = [Collections.Generic.List[double]]::new()
              LabWith = [Collections.Generic.List[double]]::new(); LabWithout = [Collections.Generic.List[double]]::new() }
    $self = Get-Process -Id $PID
    $sample = { $self.Refresh(); $process.Refresh(); , @($self.TotalProcessorTime.TotalSeconds, $process.TotalProcessorTime.TotalSeconds) }
    $checksWith = 0; $checksWithout = 0; $syncPassed = 0; $probesPassed = 0
    foreach ($i in 1..$Warmup) {
        if ($Warmup -le 0) { break }
        $null = @($meshClusters | Test-MeshConnectivity -SkipFleetCheck -AllowSharedNetwork -SkipIstiodView -SkipInClusterProbe)
        $null = @($meshClusters | Test-MeshConnectivity -SkipFleetCheck -AllowSharedNetwork)
    }
    foreach ($i in 1..$Runs) {
        $c0 = & $sample
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $a = @($meshClusters | Test-MeshConnectivity -SkipFleetCheck -AllowSharedNetwork -SkipIstiodView -SkipInClusterProbe)
        $without.Add($watch.Elapsed.TotalSeconds)
        $c1 = & $sample
        $watch.Restart()
        $b = @($meshClusters | Test-MeshConnectivity -SkipFleetCheck -AllowSharedNetwork)
        $with.Add($watch.Elapsed.TotalSeconds)
        $c2 = & $sample
        $cpu.ModuleWithout.Add($c1[0] - $c0[0]); $cpu.LabWithout.Add($c1[1] - $c0[1])
        $cpu.ModuleWith.Add($c2[0] - $c1[0]); $cpu.LabWith.Add($c2[1] - $c1[1])
        $checksWithout = $a.Count; $checksWith = $b.Count
        $syncPassed = @($b | Where-Object { $_.Check -eq 'RemoteClusterSync' -and $_.Status -eq 'Passed' }).Count
        $probesPassed = @($b | Where-Object { $_.Check -in 'PodApiServerReach', 'PodGatewayReach' -and $_.Status -eq 'Passed' }).Count
    }
    $median = { param($list) $s = @($list | Sort-Object); $s[[int][Math]::Floor($s.Count / 2)] }
    $t0 = & $median $without
    $t1 = & $median $with
    'incluster-checks: {0} clusters, {1} links, {2} runs each (median) after {3} warm-up run(s) each, lab pod start {4}' -f $Clusters, $mesh.Links.Count, $Runs, [Math]::Max(0, $Warmup), $(if ($PodStartMs -gt 0) { "$PodStartMs ms" } else { 'default (30 ms)' })
    'incluster-checks: without in-cluster checks  {0,6:n2} s  ({1} checks)' -f $t0, $checksWithout
    'incluster-checks: with in-cluster checks     {0,6:n2} s  ({1} checks, {2} RemoteClusterSync and {3} probe checks passed)' -f $t1, $checksWith, $syncPassed, $probesPassed
    'incluster-checks: ratio {0:n2} (goal < 2): {1}' -f ($t1 / $t0), $(if ($t1 / $t0 -lt 2) { 'met' } else { 'NOT met' })
    'incluster-checks: CPU s per run, module without {0:n2} / with {1:n2} (ratio {2:n2}); lab without {3:n2} / with {4:n2}' -f `
        (& $median $cpu.ModuleWithout), (& $median $cpu.ModuleWith), ((& $median $cpu.ModuleWith) / [Math]::Max(0.001, (& $median $cpu.ModuleWithout))),
        (& $median $cpu.LabWithout), (& $median $cpu.LabWith)
    if (Test-Path /proc/loadavg) { 'incluster-checks: load average {0}' -f ((Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ') }
}
finally {
    if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force }
    Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
}
