<#
.SYNOPSIS
    Runs the Pester suite in this (child) pwsh and writes a summary JSON for build.ps1.
    Pester comes from the NuGet package restored by tools/TestDependencies.csproj ($env:HYBRIDMESH_PESTER).
#>
param(
    [Parameter(Mandatory)] [string[]] $Path,
    [Parameter(Mandatory)] [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
$summary = @{ Ran = $false; Passed = 0; Failed = 0; Skipped = 0 }
try {
    Import-Module $env:HYBRIDMESH_PESTER -Force
    $config = New-PesterConfiguration
    $config.Run.Path = $Path
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'
    $config.TestResult.OutputFormat = 'NUnitXml'
    $result = Invoke-Pester -Configuration $config
    $summary.Ran = ($result.Result -ne 'NotRun')
    $summary.Passed = $result.PassedCount
    $summary.Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $summary.Skipped = $result.SkippedCount + $result.NotRunCount
}
catch {
    Write-Host "Pester could not run: $_" -ForegroundColor Red
}
finally {
    $summary | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
}
