# Test-MeshConnectivity for CI and runbooks: the JUnit report (-JUnitPath) and one terminating error on failure
# (-FailOn), including the exit code of a script run with pwsh -File (docs/design/ci-output.md).
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2 -ExtraArguments '--mesh-traffic'
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:work = New-TestDirectory
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item -Recurse -Force -LiteralPath $work -ErrorAction SilentlyContinue
}

Describe 'Test-MeshConnectivity -JUnitPath' -Tag Integration {
    It 'writes one testcase per check, each failure with its detail and fix' {
        # A fresh lab: no gateways, no exposure, no links, so several checks fail.
        Push-Location $work
        try {
            $checks = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -SkipFleetCheck -JUnitPath 'reports/checks.xml'
        }
        finally { Pop-Location }
        $path = Join-Path $work 'reports/checks.xml'
        $path | Should -Exist
        $raw = [IO.File]::ReadAllText($path)
        $raw | Should -Not -Match "`r"
        [xml] $report = $raw                       # well-formed, or this throws
        $suite = $report.testsuites.testsuite
        $cases = @($suite.testcase)
        $failed = @($checks | Where-Object Status -eq 'Failed')
        $skipped = @($checks | Where-Object Status -eq 'Skipped')
        $failed.Count | Should -BeGreaterThan 0
        $cases | Should -HaveCount $checks.Count
        [int] $suite.tests | Should -Be $checks.Count
        [int] $report.testsuites.tests | Should -Be $checks.Count
        [int] $suite.failures | Should -Be $failed.Count
        [int] $suite.skipped | Should -Be $skipped.Count
        @($cases | Where-Object { $_.SelectSingleNode('failure') }) | Should -HaveCount $failed.Count

        $check = $failed | Where-Object { $_.Check -eq 'EastWestGateway' } | Select-Object -First 1
        $case = $cases | Where-Object { $_.name -eq "EastWestGateway [$($check.Cluster)]" }
        $case.classname | Should -Be 'HybridMesh.Check.EastWestGateway'
        $case.failure.message | Should -Be $check.Detail
        $case.failure.'#text' | Should -Match ([regex]::Escape("RecommendedAction: $($check.RecommendedAction)"))
        $link = $cases | Where-Object { $_.name -eq "RemoteSecret [$($lab.clusters[0].context) -> $($lab.clusters[1].context)]" }
        $link.SelectSingleNode('failure') | Should -Not -BeNullOrEmpty
    }

    It 'adds one testcase per traffic pair' {
        $path = Join-Path $work 'traffic.xml'
        $out = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -SkipFleetCheck -Traffic -Requests 4 -Confirm:$false -JUnitPath $path
        $traffic = @($out | Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] })
        $checks = @($out | Where-Object { $_ -is [HybridMesh.Models.MeshCheck] })
        [xml] $report = Get-Content -Raw $path
        $pairs = @($report.testsuites.testsuite.testcase | Where-Object classname -eq 'HybridMesh.Traffic')
        # Two clients, two versions: each reaches its own cluster's version and (no mesh yet) misses the other one.
        $pairs | Should -HaveCount 4
        @($report.testsuites.testsuite.testcase) | Should -HaveCount ($checks.Count + 4)
        $missed = $pairs | Where-Object name -eq "Traffic [$($lab.clusters[0].context) -> helloworld v2]"
        $missed.failure.message | Should -Match 'never reached helloworld v2'
        $missed.failure.'#text' | Should -Match 'RecommendedAction: '
        ($pairs | Where-Object name -eq "Traffic [$($lab.clusters[0].context) -> helloworld v1]").SelectSingleNode('failure') | Should -BeNullOrEmpty
        $traffic[0].Missing | Should -Be @('v2')
    }
}

Describe 'Test-MeshConnectivity -JUnitPath that cannot be written' -Tag Integration {
    It 'writes the checks, then stops with ReportNotWritten' {
        $folder = Join-Path $work 'a-folder.xml'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $results = [System.Collections.Generic.List[object]]::new()
        { Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -SkipFleetCheck -JUnitPath $folder | ForEach-Object { $results.Add($_) } } |
            Should -Throw -ErrorId 'HybridMesh.ReportNotWritten,HybridMesh.Commands.TestMeshConnectivityCommand'
        $results.Count | Should -BeGreaterThan 20
        $folder | Should -Exist   # still a folder, nothing replaced it
    }
}

Describe 'Test-MeshConnectivity -FailOn' -Tag Integration {
    It 'writes every result, then stops with one terminating error when a check failed' {
        $results = [System.Collections.Generic.List[object]]::new()
        $caught = $null
        try {
            Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -SkipFleetCheck -FailOn Failed | ForEach-Object { $results.Add($_) }
        }
        catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ConnectivityCheckFailed,HybridMesh.Commands.TestMeshConnectivityCommand'
        $caught.CategoryInfo.Category | Should -Be 'InvalidResult'
        $caught.Exception.Message | Should -Match 'EastWestGateway'
        $caught.ErrorDetails.RecommendedAction | Should -Match 'RecommendedAction'
        $results.Count | Should -BeGreaterThan 20
    }

    It 'makes a runbook run with pwsh -File exit 1 (ErrorActionPreference Stop), and 0 without -FailOn' {
        $script = Join-Path $work 'verify.ps1'
        $report = Join-Path $work 'verify.xml'
        Set-Content -LiteralPath $script -Value @"
param([switch] `$FailOn)
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
`$extra = if (`$FailOn) { @{ FailOn = 'Failed' } } else { @{} }
Get-MeshCluster -Kubeconfig '$($kubeconfigs[0])', '$($kubeconfigs[1])' | Test-MeshConnectivity -SkipFleetCheck -JUnitPath '$report' @extra | Out-Null
'finished'
"@
        $exe, $prefix = Get-PwshCommand
        $output = & $exe @prefix -NoProfile -NonInteractive -File $script -FailOn 2>&1
        $LASTEXITCODE | Should -Be 1 -Because ($output -join "`n")
        ($output -join "`n") | Should -Match 'connectivity result\(s\) are Failed or worse'
        ($output -join "`n") | Should -Not -Match 'finished'
        $report | Should -Exist

        $output = & $exe @prefix -NoProfile -NonInteractive -File $script 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        ($output -join "`n") | Should -Match 'finished'
    }

    It 'does not stop a healthy mesh, and -FailOn Warning also fails on warnings' {
        Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId |
            Install-EastWestGateway -Confirm:$false | Publish-MeshService -Confirm:$false |
            New-Mesh -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $checks = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -FailOn Failed -Wait -TimeoutSec 60
        @($checks | Where-Object Status -eq 'Failed') | Should -HaveCount 0
        # The lab's kubeconfigs name 127.0.0.1, which other clusters' istiod cannot use: New-Mesh and the checks warn.
        $warnings = @($checks | Where-Object Status -eq 'Warning')
        if ($warnings.Count -gt 0) {
            { Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -FailOn Warning | Out-Null } |
                Should -Throw -ErrorId 'HybridMesh.ConnectivityCheckFailed,HybridMesh.Commands.TestMeshConnectivityCommand'
        }
        else {
            { Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -FailOn Warning | Out-Null } | Should -Not -Throw
        }
    }
}
