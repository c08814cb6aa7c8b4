# build.ps1 Test gives every test process one temp folder of the run and deletes it at the end (tools/BuildHelpers.ps1,
# Enter-HmRunTempFolder): what killed processes and forgetful tests leave must not pile up in the system temp folder.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildHelpers.ps1')
}

Describe 'The run temp folder' -Tag Unit {
    It 'is the temp folder of processes started inside it, and goes with what they left when the run ends' {
        $name = if ($IsWindows) { 'TEMP' } else { 'TMPDIR' }
        $before = [Environment]::GetEnvironmentVariable($name)
        $run = Enter-HmRunTempFolder
        try {
            [Environment]::GetEnvironmentVariable($name) | Should -BeExactly $run.Path
            Test-Path -LiteralPath $run.Path -PathType Container | Should -BeTrue
            # .NET reads the variable on each call, so this process (like every child) now makes its temp files there.
            $left = Join-Path ([IO.Path]::GetTempPath()) 'left-behind'
            $left | Should -BeLike "$($run.Path)*"
            New-Item -ItemType Directory -Path $left | Out-Null
        }
        finally {
            Exit-HmRunTempFolder $run
        }
        Test-Path -LiteralPath $run.Path | Should -BeFalse
        [Environment]::GetEnvironmentVariable($name) | Should -BeExactly $before
    }
}
