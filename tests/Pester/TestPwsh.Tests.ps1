# build.ps1 Test runs the test processes on a ReadyToRun copy of the pwsh that runs it when that pwsh is IL only (the
# local tool is): tools/TestPwsh, Get-HmTestPwsh in tools/BuildHelpers.ps1, docs/design/test-suite.md. The copy must be
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

    It 'is made once: a second call with the same pwsh and project returns the copy without publishing again' -Skip:(-not $made) {
        # Get-HmTestPwsh asks about the pwsh it runs in; run it the way build.ps1 does, from the source pwsh.
        $before = (Get-Item -LiteralPath (Join-Path $copy 'pwsh.dll')).LastWriteTimeUtc
        $command = ". '$(Join-Path $RepoRoot 'tools/BuildHelpers.ps1')'; Get-HmTestPwsh -Root '$RepoRoot'"
        $result = & (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source (Join-Path $source 'pwsh.dll') -NoProfile -NonInteractive -Command $command
        $LASTEXITCODE | Should -Be 0
        @($result)[-1] | Should -BeExactly (Join-Path $RepoRoot 'out/test-pwsh/pwsh.dll')
        $result -join "`n" | Should -Not -Match 'ReadyToRun copy of'
        (Get-Item -LiteralPath (Join-Path $copy 'pwsh.dll')).LastWriteTimeUtc | Should -Be $before
    }
}
