# build.ps1 Test runs the test processes on a ReadyToRun copy of the pwsh that runs it when that pwsh is IL only (the
# local tool is): tools/TestPwsh, Start-HmTestPwsh in tools/BuildHelpers.ps1, docs/design/test-suite.md. The copy must be
# the same PowerShell (same files, same version), with its engine compiled ahead of time, and this run must be on it.
BeforeDiscovery {
    # Whether a copy was made (the skips below are decided at discovery).
    $made = Test-Path -LiteralPath (Join-Path $env:HYBRIDMESH_REPO_ROOT 'out/test-pwsh.inputs')
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildHelpers.ps1')
    $copy = Join-Path $RepoRoot 'out/test-pwsh'
    $stamp = "$copy.inputs"
    # The stamp's first field is the folder the copy was made from ($PSHOME of build.ps1).
    $source = if (Test-Path -LiteralPath $stamp) { ((Get-Content -Raw -LiteralPath $stamp).Trim() -split ' ')[0] }
}

Describe 'The test pwsh' -Tag Unit {
    It 'tells an IL-only assembly from a ReadyToRun one' {
        # HybridMesh.dll is built IL only; the runtime's own System.Private.CoreLib is ReadyToRun.
        Test-HmReadyToRun (Join-Path $env:HYBRIDMESH_MODULE_PATH 'HybridMesh.dll') | Should -BeFalse
        Test-HmReadyToRun ([object].Assembly.Location) | Should -BeTrue
    }

    It 'runs this test, with PowerShell''s engine compiled ahead of time' {
        Test-HmReadyToRun ([psobject].Assembly.Location) | Should -BeTrue -Because 'an IL-only engine is compiled again by the JIT in every test pwsh'
    }

    It 'is a copy of the pwsh build.ps1 runs on: the same files and version, the engine compiled' -Skip:(-not $made) {
        # Skipped where build.ps1's own pwsh was already ReadyToRun (an installed pwsh): then no copy is made.
        $PSHOME | Should -BeExactly (Resolve-Path $copy).Path
        $relative = { param($folder) Get-ChildItem -LiteralPath $folder -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($folder, $_.FullName) } | Sort-Object }
        & $relative $copy | Should -BeExactly (& $relative $source)
        Test-HmReadyToRun (Join-Path $source 'System.Management.Automation.dll') | Should -BeFalse
        Test-HmReadyToRun (Join-Path $copy 'System.Management.Automation.dll') | Should -BeTrue
        $PSVersionTable.PSVersion.ToString() | Should -BeExactly ((Get-Content -Raw -LiteralPath $stamp).Trim() -split ' ')[1]
    }

    It 'is made once: with the same pwsh and project, the next run starts nothing and takes the copy' -Skip:(-not $made) {
        # Start-HmTestPwsh asks about the pwsh it runs in; run it the way build.ps1 does, from the source pwsh.
        $before = (Get-Item -LiteralPath (Join-Path $copy 'pwsh.dll')).LastWriteTimeUtc
        $command = ". '$(Join-Path $RepoRoot 'tools/BuildHelpers.ps1')'; `$run = Start-HmTestPwsh -Root '$RepoRoot'; " +
            "'process: ' + [bool] `$run.Process; Complete-HmTestPwsh `$run"
        $result = & (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source (Join-Path $source 'pwsh.dll') -NoProfile -NonInteractive -Command $command
        $LASTEXITCODE | Should -Be 0
        $result | Should -Contain 'process: False'
        @($result)[-1] | Should -BeExactly (Join-Path $RepoRoot 'out/test-pwsh/pwsh.dll')
        (Get-Item -LiteralPath (Join-Path $copy 'pwsh.dll')).LastWriteTimeUtc | Should -Be $before
    }
    It 'when the copy cannot be made, the run goes on with its own pwsh and leaves no stamp' {
        $folder = New-TestDirectory
        $exe, $prefix = Get-PwshCommand
        $failed = Start-Process -FilePath $exe -ArgumentList (@($prefix) + @('-NoProfile', '-Command', 'exit 3')) -PassThru -NoNewWindow
        $run = [pscustomobject]@{ Dll = $null; Copy = (Join-Path $folder 'test-pwsh'); Key = 'key'; Process = $failed; Log = (Join-Path $folder 'test-pwsh.log') }
        New-Item -ItemType Directory -Path $run.Copy | Out-Null
        Complete-HmTestPwsh $run 6>$null | Should -BeNullOrEmpty
        Test-Path -LiteralPath $run.Copy | Should -BeFalse
        Test-Path -LiteralPath "$($run.Copy).inputs" | Should -BeFalse
    }
}
