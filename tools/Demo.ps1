<#
.SYNOPSIS
    The runbook against the lab: simulated clusters (one GKE-style, one on-prem-style) and a simulated fleet, all on
    127.0.0.1. Run through `dotnet pwsh ./build.ps1 Demo`. Exits non-zero when a step fails.
#>
param(
    [Parameter(Mandatory)] [string] $Root,
    [Parameter(Mandatory)] [string] $ModuleDirectory,
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# Output to a file or a CI log: plain text. PowerShell otherwise writes ANSI colour sequences into redirected output
# (warnings, errors, table headers); Write-Host colours are dropped there by itself.
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

# The lab starts through the shipped HybridMesh.Lab module (built beside HybridMesh), as tests and benchmarks do.
$labModule = Join-Path (Split-Path (Split-Path $ModuleDirectory)) "HybridMesh.Lab/$(Split-Path $ModuleDirectory -Leaf)"
Import-Module (Join-Path $labModule 'HybridMesh.Lab.psd1') -Force
$lab = $null
try {
    # -MeshTraffic: the lab's simulated kubelet answers curl in client pods from the mesh state actually stored.
    # Start-MeshLab also points Google calls at the simulated fleet with a lab credential file; nothing leaves this
    # machine.
    $lab = Start-MeshLab -Clusters 2 -MeshTraffic

    Import-Module (Join-Path $ModuleDirectory 'HybridMesh.psd1') -Force
    $kubeconfigs = @($lab.clusters.kubeconfig)

    Write-Host "`n== Step 1: the clusters (Get-MeshCluster -Detailed)" -ForegroundColor Cyan
    $clusters = Get-MeshCluster -Kubeconfig $kubeconfigs -Detailed
    $clusters | Format-Table -AutoSize | Out-String -Width 180 | Out-Host

    Write-Host "== Step 2: the environment (Get-MeshCluster | Get-MeshEnvironment)" -ForegroundColor Cyan
    $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId
    $environment | Format-Table -AutoSize | Out-String -Width 180 | Out-Host
    $environment.Clusters | Format-Table -AutoSize | Out-String -Width 180 | Out-Host

    Write-Host "== Step 3: east-west gateways (... | Install-EastWestGateway)" -ForegroundColor Cyan
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $gateways = @($environment | Install-EastWestGateway -Confirm:$false -TimeoutSec 60)
    $gateways | Format-Table -AutoSize | Out-String -Width 180 | Out-Host
    $gateways[0].Objects | Format-Table -AutoSize | Out-String -Width 180 | Out-Host
    Write-Host ("Installed on {0} clusters in {1:n1} s." -f $gateways.Count, $clock.Elapsed.TotalSeconds)
    if ($gateways.Count -ne @($lab.clusters).Count -or @($gateways | Where-Object Status -ne 'Ready').Count) {
        throw 'Not every cluster got a ready east-west gateway.'
    }

    Write-Host "== Step 4: expose the services (... | Publish-MeshService)" -ForegroundColor Cyan
    $exposures = @($gateways | Publish-MeshService -Confirm:$false)
    $exposures | Format-Table -AutoSize | Out-String -Width 180 | Out-Host
    if ($exposures.Count -ne $gateways.Count) { throw 'Not every cluster exposes its services.' }

    Write-Host '== Step 5: endpoint discovery (New-Mesh)' -ForegroundColor Cyan
    # The lab's API servers listen on 127.0.0.1, so New-Mesh warns that a real istiod could not reach them.
    $mesh = $environment | New-Mesh -WarningAction SilentlyContinue
    $mesh | Format-Table | Out-Host
    $mesh.Links | Format-Table | Out-String -Width 200 | Out-Host
    if ($mesh.Connected -ne $mesh.Links.Count) { throw "Only $($mesh.Connected) of $($mesh.Links.Count) links are connected." }

    Write-Host '== The same runbook as one pipeline (re-run: every object and link Unchanged)' -ForegroundColor Cyan
    $again = Get-MeshCluster -Kubeconfig $kubeconfigs |
        Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId |
        Install-EastWestGateway |
        Publish-MeshService |
        New-Mesh -WarningAction SilentlyContinue
    $again.Links | Format-Table Source, Target, Status, Outcome -AutoSize | Out-String -Width 200 | Out-Host


    Write-Host '== Step 6: verify (Test-MeshConnectivity, then -Traffic)' -ForegroundColor Cyan
    $checks = $mesh | Test-MeshConnectivity -WarningAction SilentlyContinue
    $checks | Format-Table -AutoSize | Out-String -Width 220 | Out-Host
    $failed = @($checks | Where-Object Status -EQ 'Failed')
    if ($failed.Count) { throw "$($failed.Count) checks failed: $($failed.Check -join ', ')" }
    $traffic = $mesh | Test-MeshConnectivity -Traffic -WarningAction SilentlyContinue | Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] }
    $traffic | Format-Table -AutoSize | Out-String -Width 220 | Out-Host
    if (@($traffic | Where-Object { -not $_.Passed }).Count -or -not $traffic) { throw 'Not every client reached every version.' }

    Write-Host 'Demo finished: every step succeeded.' -ForegroundColor Green
}
catch {
    Write-Host "Demo failed: $_" -ForegroundColor Red
    exit 1
}
finally {
    if ($lab) { Stop-MeshLab $lab -Confirm:$false }
}
