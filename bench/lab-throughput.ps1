<#
.SYNOPSIS
    Prints how many simple GETs per second one simulated lab cluster answers.
.DESCRIPTION
    Runs bench/LabThroughput (a small tool that hosts one lab cluster in-process; it is not part of the shipped lab):
    N GETs of one ConfigMap over HTTPS from 8 concurrent connections. The lab must sustain at least 2,000 GET/s per cluster so that parallel cmdlet
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
$project = Join-Path $Root 'bench/LabThroughput/LabThroughput.csproj'
$dll = Join-Path $Root "bench/LabThroughput/bin/$Configuration/net10.0/LabThroughput.dll"
if (-not (Test-Path $dll)) {
    & dotnet build $project -c $Configuration --nologo -v quiet | Out-Host
    if ($LASTEXITCODE) { throw "building the benchmark tool failed ($LASTEXITCODE)" }
}
$output = & dotnet $dll $Requests
if ($LASTEXITCODE) { throw "lab benchmark failed ($LASTEXITCODE): $output" }
$output | ForEach-Object { Write-Host "lab-throughput: $_" }
