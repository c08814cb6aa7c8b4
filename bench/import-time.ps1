<#
.SYNOPSIS
    Module import cost: `pwsh -NoProfile -c 'Import-Module HybridMesh'` against a bare `pwsh -NoProfile -c exit`,
    each started N times; prints the medians, the difference and the ratio. Target: at most 300 ms more than bare.
    Also times the first cmdlet call (Get-MeshCluster, which loads the Engine into its private load context).
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    [string] $ModuleDirectory,
    [string] $Configuration = 'Release',
    [int] $Runs = 7
)
$ErrorActionPreference = 'Stop'
if (-not $ModuleDirectory) { $ModuleDirectory = Get-ChildItem (Join-Path $Root 'out/Modules/HybridMesh') -Directory | Select-Object -Last 1 -ExpandProperty FullName }
$manifest = Join-Path $ModuleDirectory 'HybridMesh.psd1'
$kubeconfig = Join-Path $Root 'tests/assets/kubeconfig.onprem.yaml'

$exe = [Environment]::ProcessPath
$prefix = @()
if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }

function Measure-Median([string] $Command) {
    $times = foreach ($i in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $exe @prefix -NoProfile -NonInteractive -Command $Command | Out-Null
        if ($LASTEXITCODE) { throw "'$Command' failed ($LASTEXITCODE)" }
        $watch.Elapsed.TotalMilliseconds
    }
    $sorted = $times | Sort-Object
    return $sorted[[int][Math]::Floor($sorted.Count / 2)]
}

Measure-Median 'exit' | Out-Null   # warm the disk cache once
$bare = Measure-Median 'exit'
$import = Measure-Median "Import-Module '$manifest'"
$firstCall = Measure-Median "Import-Module '$manifest'; Get-MeshCluster -Kubeconfig '$kubeconfig' | Out-Null"

'import-time: runs {0} (median each)' -f $Runs
'import-time: bare pwsh            {0,7:n0} ms' -f $bare
'import-time: Import-Module        {0,7:n0} ms  (+{1:n0} ms, ratio {2:n2}; target +300 ms at most)' -f $import, ($import - $bare), ($import / $bare)
'import-time: + first Get-MeshCluster {0,4:n0} ms  (+{1:n0} ms over bare)' -f $firstCall, ($firstCall - $bare)
