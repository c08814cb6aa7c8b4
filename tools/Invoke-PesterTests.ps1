<#
.SYNOPSIS
    Runs the Pester suite in this (child) pwsh and writes a summary JSON for build.ps1.
    Pester comes from the NuGet package restored by tools/TestDependencies.csproj ($env:HYBRIDMESH_PESTER).
.DESCRIPTION
    With -Jobs greater than 1 (at most one per core) and more than one test file, the files are split into that
    many groups, each run by Invoke-Pester in its own pwsh process at the same time (the files do not share state:
    each starts its own labs in its own folders). Groups are balanced by how long each file took last time (pester-durations.json beside the
    summary; file size when a file has no record yet). Each group's output is printed whole when it ends, and the
    summary counts every group; a group that could not run counts as not run.
#>
param(
    [Parameter(Mandatory)] [string[]] $Path,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [ValidateRange(1, 16)] [int] $Jobs = 1
)
$ErrorActionPreference = 'Stop'
$summary = @{ Ran = $false; Passed = 0; Failed = 0; Skipped = 0 }

function Get-TestFile([string[]] $Paths) {
    foreach ($p in $Paths) {
        if (Test-Path -LiteralPath $p -PathType Container) {
            Get-ChildItem -LiteralPath $p -Filter '*.Tests.ps1' -Recurse -File | Sort-Object FullName
        }
        else { Get-Item -LiteralPath $p }
    }
}

function Split-TestFile([IO.FileInfo[]] $Files, [int] $Count, [string] $DurationsPath) {
    # Longest first onto the group with the least work so far (greedy), so the groups end at about the same time.
    $known = @{}
    if (Test-Path -LiteralPath $DurationsPath) {
        (Get-Content -Raw -LiteralPath $DurationsPath | ConvertFrom-Json -AsHashtable).GetEnumerator() |
            ForEach-Object { $known[$_.Key] = [double] $_.Value }
    }
    $groups = @(1..$Count | ForEach-Object { [pscustomobject]@{ Seconds = 0.0; Files = [Collections.Generic.List[string]]::new() } })
    $weighted = foreach ($file in $Files) {
        $seconds = if ($known.ContainsKey($file.Name)) { $known[$file.Name] } else { $file.Length / 1000.0 }
        [pscustomobject]@{ File = $file.FullName; Seconds = $seconds }
    }
    foreach ($item in $weighted | Sort-Object Seconds -Descending) {
        $group = $groups | Sort-Object Seconds | Select-Object -First 1
        $group.Files.Add($item.File)
        $group.Seconds += $item.Seconds
    }
    return @($groups | Where-Object { $_.Files.Count -gt 0 })
}

function Get-PwshCommand {
    # The pwsh running this script; under 'dotnet pwsh' that is dotnet + pwsh.dll.
    $process = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet' -and (Test-Path $dll)) { return $process, @($dll) }
    return $process, @()
}

# Every folder a test makes (New-TestDirectory, the labs of Start-TestLab) goes under one folder of this run, deleted
# at the end: the run leaves no hm-test-* folder in the temp folder, whatever a test forgot.
$env:HYBRIDMESH_TEST_TEMP = Join-Path ([IO.Path]::GetTempPath()) ("hm-test-run-{0}" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Force -Path $env:HYBRIDMESH_TEST_TEMP | Out-Null
# The ~30 labs of a run share their two RSA keys (generating them was ~40% of a lab's start), kept in this run's
# folder and deleted with it; key ids stay per cluster and per fleet (src/HybridMesh.Lab/Auth/LabKeyCache.cs,
# docs/design/lab-reuse.md).
$env:HYBRIDMESH_LAB_KEY_CACHE = Join-Path $env:HYBRIDMESH_TEST_TEMP 'lab-keys'
# No test may run this machine's Google Cloud CLI. A kubeconfig written by gcloud names gke-gcloud-auth-plugin, which
# runs gcloud, which refreshes a logged-in account's token with Google: traffic that leaves the machine, and a result
# that depends on who is logged in (the completion test over the sample GKE kubeconfig ran both). Stand-ins of both,
# first on PATH for every process of the run, fail at once and say why; a test that needs a plugin writes its own.
# On Windows the stand-ins are .cmd files: PowerShell finds them, but the module starts exec plugins with
# Process.Start, which looks for .exe only, so there they guard PowerShell's own calls, not the module's.
$toolGuard = Join-Path $env:HYBRIDMESH_TEST_TEMP 'no-cloud-cli'
New-Item -ItemType Directory -Force -Path $toolGuard | Out-Null
foreach ($tool in 'gcloud', 'gke-gcloud-auth-plugin') {
    $message = "HybridMesh tests: the real $tool must not run in a test (it can reach Google); give the test a fake plugin of its own."
    if ($IsWindows) { Set-Content -LiteralPath (Join-Path $toolGuard "$tool.cmd") -Value "@echo $message 1>&2`r`n@exit /b 127" }
    else {
        $stand = Join-Path $toolGuard $tool
        Set-Content -LiteralPath $stand -Value "#!/bin/sh`necho '$message' >&2`nexit 127"
        & chmod +x $stand
    }
}
$env:PATH = $toolGuard + [IO.Path]::PathSeparator + $env:PATH
try {
    $files = @(Get-TestFile $Path)
    $results = Split-Path $SummaryPath
    $durationsPath = Join-Path $results 'pester-durations.json'
    # No more groups than cores: each group is a pwsh that compiles PowerShell, Pester and the module's code paths
    # again (JIT), so a third group on two cores (where xunit also runs) costs CPU without finishing sooner; one
    # group per core finished the same files with ~25 CPU s less than one more group (docs/design/test-suite.md).
    $Jobs = [Math]::Min($Jobs, [Math]::Max(1, [Environment]::ProcessorCount))
    if ($Jobs -gt 1 -and $files.Count -gt 1) {
        $groups = Split-TestFile $files ([Math]::Min($Jobs, $files.Count)) $durationsPath
        $exe, $prefix = Get-PwshCommand
        $running = for ($i = 0; $i -lt $groups.Count; $i++) {
            $groupSummary = Join-Path $results "pester-summary-$i.json"
            $log = Join-Path $results "pester-$i.log"
            Remove-Item -LiteralPath $groupSummary, $log -ErrorAction SilentlyContinue
            $list = ($groups[$i].Files | ForEach-Object { "'$_'" }) -join ','
            $command = "& '$PSCommandPath' -Path $list -SummaryPath '$groupSummary' -Jobs 1"
            $arguments = @($prefix) + @('-NoProfile', '-NonInteractive', '-Command', $command)
            [pscustomobject]@{
                Summary = $groupSummary; Log = $log
                Process = Start-Process -FilePath $exe -ArgumentList $arguments -RedirectStandardOutput $log `
                    -RedirectStandardError "$log.err" -NoNewWindow -PassThru
            }
        }
        $allRan = $true
        $durations = @{}
        foreach ($job in $running) {
            $job.Process.WaitForExit()
            Get-Content -LiteralPath $job.Log, "$($job.Log).err" -ErrorAction SilentlyContinue | Out-Host
            if (-not (Test-Path -LiteralPath $job.Summary)) { $allRan = $false; continue }
            $part = Get-Content -Raw -LiteralPath $job.Summary | ConvertFrom-Json -AsHashtable
            if (-not $part.Ran) { $allRan = $false }
            $summary.Passed += $part.Passed; $summary.Failed += $part.Failed; $summary.Skipped += $part.Skipped
            if ($part.Durations) { $part.Durations.GetEnumerator() | ForEach-Object { $durations[$_.Key] = $_.Value } }
        }
        $summary.Ran = $allRan
        if ($durations.Count) {
            # Merged into what is known, so a run of some files keeps the other files' durations.
            $known = if (Test-Path -LiteralPath $durationsPath) { Get-Content -Raw -LiteralPath $durationsPath | ConvertFrom-Json -AsHashtable } else { @{} }
            foreach ($key in $durations.Keys) { $known[$key] = $durations[$key] }
            $known | ConvertTo-Json | Set-Content -LiteralPath $durationsPath
        }
        return
    }

    Import-Module $env:HYBRIDMESH_PESTER -Force
    $config = New-PesterConfiguration
    $config.Run.Path = @($files.FullName)
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = [IO.Path]::ChangeExtension($SummaryPath, '.xml') -replace 'pester-summary', 'pester'
    $config.TestResult.OutputFormat = 'NUnitXml'
    $result = Invoke-Pester -Configuration $config
    $summary.Ran = ($result.Result -ne 'NotRun')
    $summary.Passed = $result.PassedCount
    $summary.Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $summary.Skipped = $result.SkippedCount + $result.NotRunCount
    $summary.Durations = @{}
    foreach ($container in $result.Containers | Where-Object Result -eq 'Passed') {
        # Only files that passed: a failure can take minutes (a wait that timed out) and would unbalance the next
        # run's groups (one group got a single file and the other the remaining 31, 120 s instead of ~75).
        $summary.Durations[[IO.Path]::GetFileName($container.Item.ToString())] = [Math]::Round($container.Duration.TotalSeconds, 1)
    }
}
catch {
    Write-Host "Pester could not run: $_" -ForegroundColor Red
}
finally {
    $summary | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
    # Labs still running (a test that did not stop its lab) exit with this process; their files may go first.
    Remove-Item -Recurse -Force -LiteralPath $env:HYBRIDMESH_TEST_TEMP -ErrorAction SilentlyContinue
}
