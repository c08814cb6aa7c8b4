# What the README promises about the demo, installing, and the test run itself.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
}

Describe 'README' -Tag Unit {
    It 'installs HybridMesh.Lab from the folder repository too' {
        $readme | Should -Match 'Install-PSResource HybridMesh, HybridMesh.Lab -Repository Local'
        $readme | Should -Match 'Import-Module ./out/Modules/HybridMesh, ./out/Modules/HybridMesh.Lab'
    }

    It 'says where dotnet pwsh works and where a real pwsh is needed' {
        $readme | Should -Match '`dotnet pwsh` is the PowerShell [\d.]+ that `dotnet tool restore` installs[\s\S]+?works only inside the clone'
        $readme | Should -Match 'use a real PowerShell 7.4 or later'
    }

    It 'states the demo time measured on a cold run' {
        $readme | Should -Match 'about \d+ s on a 2-core machine from a clean clone'
    }
}

# Installing from the folder repository as the README says runs in Package.Tests.ps1, with the package's own install
# check (one child pwsh installs once for both).

Describe 'The demo with its output redirected' -Tag Integration {
    It 'runs the runbook and writes no ANSI colour sequence' {
        $exe, $prefix = Get-PwshCommand
        $log = Join-Path ([IO.Path]::GetTempPath()) ("hm-demo-{0}.log" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        try {
            # Both streams to a file, as `./build.ps1 Demo > demo.log 2>&1` or a CI log does.
            & $exe @prefix -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'tools/Demo.ps1') -Root $RepoRoot -ModuleDirectory $ModuleDirectory *> $log
            $code = $LASTEXITCODE
            $text = [IO.File]::ReadAllText($log)
            $code | Should -Be 0 -Because $text
            $text | Should -Match 'Demo finished: every step succeeded.'
            $text | Should -Match 'WARNING: |Status\s+Cluster'
            $text.Contains([char] 27) | Should -BeFalse -Because 'redirected output must be plain text'
        }
        finally { Remove-Item -LiteralPath $log -ErrorAction SilentlyContinue }
    }
}

Describe 'The Pester run' -Tag Integration {
    It 'stands in for the Google Cloud CLI: a test that runs gcloud or gke-gcloud-auth-plugin gets an error, never the real tool' -Skip:$IsWindows {
        foreach ($tool in 'gcloud', 'gke-gcloud-auth-plugin') {
            (Get-Command $tool -CommandType Application | Select-Object -First 1).Source | Should -BeLike "$env:HYBRIDMESH_TEST_TEMP*"
            $said = & $tool config config-helper 2>&1
            $LASTEXITCODE | Should -Be 127
            "$said" | Should -Match "the real $tool must not run in a test"
        }
    }

    It 'leaves no hm-test-* folder in the temp folder, even when a test forgets to clean up' {
        # A run of tools/Invoke-PesterTests.ps1 with its own temp folder (TMPDIR), over one test that makes a test
        # directory and a lab and removes neither.
        $temp = Join-Path ([IO.Path]::GetTempPath()) ("hm-tmpdir-{0}" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        $outside = Join-Path ([IO.Path]::GetTempPath()) ("hm-outside-{0}" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $temp, $outside | Out-Null
        try {
            $inner = Join-Path $outside 'Forgetful.Tests.ps1'
            Set-Content -LiteralPath $inner -Value @"
BeforeAll { . '$(Join-Path $RepoRoot 'tests/Pester/common.ps1')' }
Describe 'forgetful' {
    It 'makes folders and a lab, and keeps them' {
        `$dir = New-TestDirectory
        Set-Content -LiteralPath (Join-Path `$dir 'file.txt') -Value 'x'
        `$lab = Start-TestLab -Clusters 1
        `$lab.Path | Should -Exist
        `$dir | Should -Exist
    }
}
"@
            $summary = Join-Path $outside 'summary.json'
            Invoke-ChildPwsh -Script "& '$(Join-Path $RepoRoot 'tools/Invoke-PesterTests.ps1')' -Path '$inner' -SummaryPath '$summary' | Out-Null" `
                -Environment @{ TMPDIR = $temp; HYBRIDMESH_TEST_TEMP = $null } | Out-Null
            $result = Get-Content -Raw $summary | ConvertFrom-Json
            $result.Passed | Should -Be 1
            $result.Failed | Should -Be 0
            @(Get-ChildItem -LiteralPath $temp -Filter 'hm-test-*' -Force) | Should -HaveCount 0
        }
        finally { Remove-Item -Recurse -Force -LiteralPath $temp, $outside -ErrorAction SilentlyContinue }
    }
}
