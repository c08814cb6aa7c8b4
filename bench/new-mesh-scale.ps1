<#
.SYNOPSIS
    New-Mesh wall time for 2, 5, 10 and 20 lab clusters with 50 ms API latency, against the documented sequential
    procedure (kubectl per ordered pair) on the same lab in the same run.
.DESCRIPTION
    For each size N the lab starts with N clusters (Start-MeshLab), every cluster gets a 50 ms latency fault on
    every request (control API), and then:
    1. New-Mesh (the built module, in this process) wires all N*(N-1) links from scratch; its wall time is measured;
       a second run (converged, every link Unchanged) is measured too.
    2. The documented way, per ordered pair (S, T), three sequential kubectl calls: apply the reader token Secret in
       S, read it back, apply the remote secret in T. When N*(N-1) exceeds -SequentialSample pairs, only that many
       pairs run and the total is extrapolated per link (printed as "extrapolated").
    Target: 20 clusters (380 links) in at most 10 s, and at least 10 times faster than the sequential procedure.
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    [string] $ModuleDirectory,
    [string] $Configuration = 'Release',
    [int[]] $Sizes = @(2, 5, 10, 20),
    [int] $LatencyMs = 50,
    [int] $SequentialSample = 20
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if (-not $ModuleDirectory) { $ModuleDirectory = Get-ChildItem (Join-Path $Root 'out/Modules/HybridMesh') -Directory | Select-Object -Last 1 -ExpandProperty FullName }
if (-not (Get-Command kubectl -ErrorAction SilentlyContinue)) { throw 'kubectl is needed for the sequential comparison.' }
Import-Module (Join-Path $ModuleDirectory 'HybridMesh.psd1') -Force
# Labs start through the shipped HybridMesh.Lab module (built beside HybridMesh), as tests and the demo do.
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
    $name = $Source.clusterId
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
    $remote = @"
apiVersion: v1
kind: Secret
metadata:
  name: istio-remote-secret-$name
  namespace: istio-system
  labels: {istio/multiCluster: "true"}
  annotations: {networking.istio.io/cluster: $name}
data:
  ${name}: $([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($kubeconfig)))
"@
    Invoke-Kubectl $Target.kubeconfig $Target.context @('apply', '-f', '-') $remote | Out-Null
}

$savedCache = $env:KUBECACHEDIR
$rows = foreach ($size in $Sizes) {
    # Start-MeshLab also points Google calls at the lab's fleet; Stop-MeshLab restores the variables.
    $lab = Start-MeshLab -Clusters $size -TimeoutSec 120 -Confirm:$false
    try {
        $env:KUBECACHEDIR = Join-Path $lab.Path 'kube-cache'
        foreach ($cluster in $lab.Clusters) {
            Add-MeshLabFault $lab -Cluster $cluster.name -Kind Latency -DelayMs $LatencyMs -Confirm:$false
        }

        $clusters = Get-MeshCluster -Kubeconfig @($lab.clusters.kubeconfig)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $mesh = $clusters | New-Mesh -FleetProjectId $lab.fleet.projectId -WarningAction SilentlyContinue
        $newMesh = $watch.Elapsed.TotalSeconds
        $links = $mesh.Links.Count
        if ($mesh.Connected -ne $links) { throw "$size clusters: only $($mesh.Connected) of $links links connected" }
        $watch.Restart()
        $again = $clusters | New-Mesh -FleetProjectId $lab.fleet.projectId -WarningAction SilentlyContinue
        $rerun = $watch.Elapsed.TotalSeconds
        if (@($again.Links | Where-Object Outcome -NE 'Unchanged').Count) { throw "$size clusters: the re-run changed links" }

        $pairs = foreach ($s in $lab.clusters) { foreach ($t in $lab.clusters) { if ($s.name -ne $t.name) { , @($s, $t) } } }
        $sample = @($pairs | Select-Object -First ([Math]::Min($SequentialSample, $links)))
        $watch.Restart()
        foreach ($pair in $sample) { Invoke-SequentialLink $pair[0] $pair[1] }
        $perLink = $watch.Elapsed.TotalSeconds / $sample.Count
        $sequential = $perLink * $links
        [pscustomobject]@{
            Clusters = $size
            Links = $links
            'New-Mesh (s)' = [Math]::Round($newMesh, 2)
            'Re-run (s)' = [Math]::Round($rerun, 2)
            'Sequential (s)' = [Math]::Round($sequential, 1)
            'Sequential basis' = if ($sample.Count -eq $links) { 'measured, all links' } else { "extrapolated from $($sample.Count) links ($([Math]::Round($perLink, 3)) s/link)" }
            Speedup = [Math]::Round($sequential / $newMesh, 1)
        }
    }
    finally {
        Stop-MeshLab $lab -Confirm:$false
        $env:KUBECACHEDIR = $savedCache
    }
}

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$twenty = $rows | Where-Object Clusters -EQ 20
if ($twenty) {
    $ok = $twenty.'New-Mesh (s)' -le 10 -and $twenty.Speedup -ge 10
    Write-Host ("new-mesh-scale: 20 clusters ({0} links) in {1} s, {2}x the sequential procedure: target {3}" -f
        $twenty.Links, $twenty.'New-Mesh (s)', $twenty.Speedup, $(if ($ok) { 'met' } else { 'NOT met' }))
}
