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
# Every folder a test makes (New-TestDirectory, the labs of Start-TestLab) goes under one folder of this run, deleted
# at the end: the run leaves no hm-test-* folder in the temp folder, whatever a test forgot.
$env:HYBRIDMESH_TEST_TEMP = Join-Path ([IO.Path]::GetTempPath()) ("hm-test-run-{0}" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Force -Path $env:HYBRIDMESH_TEST_TEMP | Out-Null
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
    # Labs still running (a test that did not stop its lab) exit with this process; their files may go first.
    Remove-Item -Recurse -Force -LiteralPath $env:HYBRIDMESH_TEST_TEMP -ErrorAction SilentlyContinue
}
