# The lab as users meet it in a terminal: Ctrl+C on a cmdlet must not take the lab down with it (the terminal signals
# its whole foreground process group), and a lab that is gone is reported as such, not as "Connection refused".
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMeshLab
    $script:work = New-TestDirectory

    function script:Test-Alive([int] $Id) {
        $process = Get-Process -Id $Id -ErrorAction SilentlyContinue
        return [bool] ($process -and -not $process.HasExited)
    }

    function script:Get-ProcessGroup([int] $Id) {
        # /proc/<pid>/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces, so split after the ')'.
        $fields = ((Get-Content -Raw "/proc/$Id/stat") -replace '^.*\)\s+', '') -split '\s+'
        return [pscustomobject]@{ Group = [int] $fields[2]; Session = [int] $fields[3] }
    }
}

AfterAll {
    Remove-Item -Recurse -Force -LiteralPath $work -ErrorAction SilentlyContinue
}

Describe 'A lab started by Start-MeshLab' -Tag Integration {
    BeforeAll {
        # One lab for the first and the last test (a lab start costs a second or two of CPU): the first looks at its
        # process, the last kills it.
        $script:lab = Start-TestLab -Clusters 1 -OwnProcess
    }

    AfterAll { Stop-TestLab $lab }

    It 'runs in a process group and session of its own on Linux' -Skip:(-not $IsLinux) {
        $mine = Get-ProcessGroup $PID
        $theirs = Get-ProcessGroup $lab.ProcessId
        $theirs.Group | Should -Not -Be $mine.Group
        $theirs.Session | Should -Not -Be $mine.Session
        $theirs.Group | Should -Be $lab.ProcessId
        (Get-Process -Id $lab.ProcessId).ProcessName | Should -Be 'dotnet'
    }

    It 'survives Ctrl+C (SIGINT to the terminal''s process group) pressed on a cmdlet' -Skip:(-not $IsLinux -or -not (Get-Command setsid, kill -ErrorAction SilentlyContinue)) {
        # A "terminal": a pwsh in a process group of its own (setsid), that starts a lab and then runs a long command.
        # -NoExit with stdin held open keeps that pwsh alive after Ctrl+C, as an interactive session stays.
        $pidFile = Join-Path $work 'lab.pid'
        $labPath = Join-Path $work 'sigint-lab'
        $helper = Join-Path $work 'terminal.ps1'
        Set-Content -LiteralPath $helper -Value @"
Import-Module '$(Join-Path $env:HYBRIDMESH_LAB_MODULE_PATH 'HybridMesh.Lab.psd1')'
`$lab = Start-MeshLab -Clusters 1 -Path '$labPath' -NoFleetEnvironment -Confirm:`$false
Set-Content -LiteralPath '$pidFile' -Value `$lab.ProcessId
Start-Sleep -Seconds 120
"@
        $exe, $prefix = Get-PwshCommand
        $start = [System.Diagnostics.ProcessStartInfo]::new((Get-Command setsid -CommandType Application | Select-Object -First 1).Source)
        foreach ($argument in @($exe) + $prefix + @('-NoProfile', '-NoExit', '-File', $helper)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $terminal = [System.Diagnostics.Process]::Start($start)
        $labId = 0
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $pidFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $pidFile | Should -Exist
            $labId = [int] (Get-Content -Raw $pidFile)
            Test-Alive $labId | Should -BeTrue
            $group = (Get-ProcessGroup $terminal.Id).Group
            $group | Should -Be $terminal.Id -Because 'setsid made the helper pwsh the leader of its own group'

            & (Get-Command kill -CommandType Application | Select-Object -First 1).Source -INT -- "-$group"
            Start-Sleep -Seconds 2

            Test-Alive $terminal.Id | Should -BeTrue -Because 'the terminal pwsh survives Ctrl+C (else the lab would exit with it)'
            Test-Alive $labId | Should -BeTrue -Because 'Ctrl+C in the terminal must not stop the lab'
            $info = Get-Content -Raw (Join-Path $labPath 'lab.json') | ConvertFrom-Json
            @(Invoke-RestMethod -Uri "$($info.controlUrl)/clusters") | ForEach-Object { $_ } | Should -Not -BeNullOrEmpty
        }
        finally {
            if ($labId -and (Test-Alive $labId)) { Stop-Process -Id $labId -Force -ErrorAction SilentlyContinue }
            if (-not $terminal.HasExited) { $terminal.StandardInput.Close(); $terminal.Kill($true) }
            $terminal.WaitForExit(10000) | Out-Null
        }
    }

    It 'says the lab is not running any more, instead of "Connection refused"' {
        Stop-Process -Id $lab.ProcessId -Force
        (Get-Process -Id $lab.ProcessId -ErrorAction SilentlyContinue) | ForEach-Object { $_.WaitForExit(10000) | Out-Null }
        foreach ($call in @(
                { Add-MeshLabFault $lab -Cluster cluster1 -Kind Latency -DelayMs 10 -Confirm:$false }
                { Get-MeshLabRequest $lab -Cluster cluster1 }
                { Clear-MeshLabFault $lab -Cluster cluster1 -Confirm:$false }
                { Set-MeshLabLoadBalancer $lab -Cluster cluster1 -Never -Confirm:$false })) {
            $caught = $null
            try { & $call } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -BeLike 'HybridMesh.Lab.LabNotRunning*'
            $caught.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $caught.Exception.Message | Should -Match 'not running any more'
            $caught.Exception.Message | Should -Match 'Start-MeshLab'
            $caught.Exception.Message | Should -Not -Match 'Connection refused'
        }
    }
}
