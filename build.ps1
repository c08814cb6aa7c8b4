#Requires -Version 7.4
<#
.SYNOPSIS
    The one entry point: Build, Package, Test, Demo, Bench, Clean.
.DESCRIPTION
    From a fresh clone with only the .NET SDK:
        dotnet tool restore && dotnet pwsh ./build.ps1 Test
    Build    compiles the solution and lays out out/Modules/HybridMesh/<version>/ (cmdlets and models at the root,
             the Engine and every third-party assembly under deps/, format files, MAML help).
    Package  Build, then the .nupkg in out/ (made by PSResourceGet from a local folder repository).
    Test     Package, then every xunit project under tests/ (Engine, Lab) in the background (started as soon as the
             solution is compiled) while Pester runs against the packaged module in child pwsh processes (-PesterJobs
             groups of files at once). Prints the CPU seconds of each step on one line, then ends with one line
             'tests: N passed, N failed'; exits 1 on any failure.
    Demo     Package, start the lab (simulated clusters and fleet) and run the runbook against it.
    Bench    Package, then every script under bench/ (-Quick: bench/scale.ps1 at 2 and 20 clusters only).
    Clean    Remove out/ and every bin/ and obj/.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Package', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Extra arguments for the Pester run, e.g. -PesterPath tests/Pester/Get-MeshCluster.Tests.ps1
    [string[]] $PesterPath = @(),

    # Skip the xunit projects (handy while iterating on Pester tests).
    [switch] $SkipEngineTests,

    # How many pwsh processes share the Pester files (each runs a group of files; 1 runs them all in one process).
    [ValidateRange(1, 16)]
    [int] $PesterJobs = 3,

    # Bench: the short run (bench/scale.ps1 at 2 and 20 clusters only).
    [switch] $Quick
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# Redirected (a log file, CI): no ANSI colour sequences in warnings, errors and tables (tools/Demo.ps1 does the same).
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
$root = $PSScriptRoot
$out = Join-Path $root 'out'

# No test, demo or bench process may probe the real cloud metadata server (169.254.169.254): Google.Apis.Auth's
# application-default-credentials lookup does unless GCE_METADATA_HOST points elsewhere. Port 9 on loopback is closed.
if (-not $env:GCE_METADATA_HOST) { $env:GCE_METADATA_HOST = '127.0.0.1:9' }
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
# pwsh sends start-up telemetry to Application Insights unless told not to: no test process talks to the internet.
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
# Every process this script starts (MSBuild, csc, crossgen, testhost, pwsh, the labs) lives seconds to a minute and
# runs mostly new code: by default the runtime starts counting calls 100 ms after the last new method and recompiles
# hot ones (instrumented, then optimized), CPU that such a process never earns back. Waiting 2 s of quiet first cut a
# lab-backed Pester file's CPU by a quarter to a third, and a clean 'dotnet build' of the solution from 50 to 40 CPU s
# (docs/design/test-suite.md). A value the caller set is kept.
if (-not $env:DOTNET_TC_CallCountingDelayMs) { $env:DOTNET_TC_CallCountingDelayMs = '2000' }

. (Join-Path $root 'tools/BuildHelpers.ps1')

switch ($Task) {
    'Clean' {
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $out
        Get-ChildItem $root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
        Write-Host 'Cleaned.'
    }
    'Build' {
        Invoke-HmBuild -Root $root -Configuration $Configuration | Out-Null
    }
    'Package' {
        $layout = Invoke-HmBuild -Root $root -Configuration $Configuration
        New-HmPackage -Root $root -ModuleDirectory $layout | Out-Null
    }
    'Test' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $failedSteps = [System.Collections.Generic.List[string]]::new()
        $passed = 0; $failed = 0
        $xunitRuns = @()
        # Every test process (testhost, pwsh, the labs, whatever they start) gets one temp folder of this run, deleted
        # when the run ends: a process a test kills leaves its runtime's debug pipes and diagnostics socket there, and
        # a forgotten lab folder goes with it. Left in the system temp folder they piled up (14,000 entries after a
        # day of runs), and pwsh lists every folder above a path it resolves, so each such path cost milliseconds
        # (docs/design/test-suite.md).
        $runTemp = Enter-HmRunTempFolder
        try {
            $testPwshRun = Start-HmTestPwsh -Root $root
            try {
                Invoke-HmCompile -Root $root -Configuration $Configuration
                # The xunit projects need only the compiled tests: they start now, on the core the (mostly serial) module
                # layout and packaging below leave idle, and run on in the background while Pester runs.
                if (-not $SkipEngineTests) {
                    $xunitRuns = @(Get-HmXunitProjects -Root $root | ForEach-Object { Start-HmXunitTests -Root $root -Configuration $Configuration -Project $_ })
                }
                $layout = New-HmModuleLayout -Root $root -Configuration $Configuration
                $nupkg = New-HmPackage -Root $root -ModuleDirectory $layout
            }
            catch {
                Write-Host "BUILD FAILED: $_" -ForegroundColor Red
                foreach ($run in $xunitRuns) { if (-not $run.Process.HasExited) { $run.Process.Kill($true) } }
                if ($testPwshRun.Process -and -not $testPwshRun.Process.HasExited) { $testPwshRun.Process.Kill($true) }
                Write-Host 'tests: 0 passed, 1 failed'
                exit 1
            }
            $buildSeconds = $sw.Elapsed.TotalSeconds

            if ((Invoke-HmScriptAnalyzer -Root $root) -gt 0) { $failedSteps.Add('PSScriptAnalyzer') }

            $testPwsh = Complete-HmTestPwsh $testPwshRun

            $pester = Invoke-HmPesterTests -Root $root -ModuleDirectory $layout -Nupkg $nupkg -Path $PesterPath -Configuration $Configuration -Jobs $PesterJobs -PwshDll $testPwsh
            $passed += $pester.Passed; $failed += $pester.Failed
            if (-not $pester.Ran) { $failedSteps.Add('pester') }
            Write-Host ("pester: {0} passed, {1} failed, {2} skipped ({3:n0} s)" -f $pester.Passed, $pester.Failed, $pester.Skipped, $sw.Elapsed.TotalSeconds)

            $cpu = [ordered]@{}
            foreach ($run in $xunitRuns) {
                $xunit = Complete-HmXunitTests $run
                $passed += $xunit.Passed; $failed += $xunit.Failed
                if (-not $xunit.Ran) { $failedSteps.Add("xunit $($run.Project.BaseName)") }
                Write-Host ("xunit {0}: {1} passed, {2} failed, {3} skipped" -f $run.Project.BaseName, $xunit.Passed, $xunit.Failed, $xunit.Skipped)
                $cpu["xunit $($run.Project.BaseName -replace '^HybridMesh\.' -replace '\.Tests$')"] = $xunit.CpuSeconds
            }
            $cpu.pester = $pester.CpuSeconds
        }
        finally {
            # Also when a step throws; a killed run leaves its folder (nothing runs after a kill).
            Exit-HmRunTempFolder $runTemp
        }

        # One line on where the CPU went (2 cores: the wall time cannot be less than half the total). The build is
        # what is left of this process's total (itself and every child it waited for) after the measured steps.
        $total = Get-HmOwnCpuSeconds
        $known = @($cpu.Values | Where-Object { $null -ne $_ })
        $cpu = [ordered]@{ build = $(if ($null -ne $total -and $known.Count -eq $cpu.Count) { $total - ($known | Measure-Object -Sum).Sum }) } + $cpu
        $cpu.total = $total
        $cells = foreach ($key in $cpu.Keys) { '{0} {1}' -f $key, $(if ($null -eq $cpu[$key]) { 'n/a' } else { '{0:n0}' -f $cpu[$key] }) }
        Write-Host ("CPU seconds: {0} (build took {1:n0} s of wall time)" -f ($cells -join ', '), $buildSeconds)
        Write-Host ("Test took {0:n0} s." -f $sw.Elapsed.TotalSeconds)
        if ($failedSteps.Count -gt 0) {
            Write-Host "These test steps did not run to completion: $($failedSteps -join ', ')" -ForegroundColor Red
            $failed += $failedSteps.Count
        }
        Write-Host "tests: $passed passed, $failed failed"
        if ($failed -gt 0) { exit 1 }
    }
    'Demo' {
        $layout = Invoke-HmBuild -Root $root -Configuration $Configuration
        New-HmPackage -Root $root -ModuleDirectory $layout | Out-Null
        & (Join-Path $root 'tools/Demo.ps1') -Root $root -ModuleDirectory $layout -Configuration $Configuration
        if ($LASTEXITCODE) { exit $LASTEXITCODE }
    }
    'Bench' {
        $layout = Invoke-HmBuild -Root $root -Configuration $Configuration
        foreach ($script in Get-ChildItem (Join-Path $root 'bench') -Filter '*.ps1' | Sort-Object Name) {
            Write-Host "== $($script.Name)"
            $benchArguments = @{ Root = $root; ModuleDirectory = $layout; Configuration = $Configuration }
            if ($Quick -and (Get-Command $script.FullName).Parameters.ContainsKey('Quick')) { $benchArguments.Quick = $true }
            & $script.FullName @benchArguments
        }
    }
}
