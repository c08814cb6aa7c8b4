<#
.SYNOPSIS
    Prints how many simple GETs per second one simulated lab cluster answers.
.DESCRIPTION
    Runs the lab executable in its benchmark mode (--bench-gets N): one cluster, N GETs of one ConfigMap over HTTPS
    from 8 concurrent connections. The lab must sustain at least 2,000 GET/s per cluster so that parallel cmdlet
    runs against many lab clusters measure the module, not the simulator.
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    [string] $ModuleDirectory,
    [string] $Configuration = 'Release',
    [int] $Requests = 20000
)
$ErrorActionPreference = 'Stop'
$project = Join-Path $Root 'src/HybridMesh.Lab/HybridMesh.Lab.csproj'
$dll = Join-Path $Root "src/HybridMesh.Lab/bin/$Configuration/net10.0/HybridMesh.Lab.dll"
if (-not (Test-Path $dll)) {
    & dotnet build $project -c $Configuration --nologo -v quiet | Out-Host
    if ($LASTEXITCODE) { throw "building the lab failed ($LASTEXITCODE)" }
}
$output = & dotnet $dll --bench-gets $Requests
if ($LASTEXITCODE) { throw "lab benchmark failed ($LASTEXITCODE): $output" }
$output | ForEach-Object { Write-Host "lab-throughput: $_" }
