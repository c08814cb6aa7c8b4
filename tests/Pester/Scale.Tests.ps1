# Fleet scale through the packaged module (docs/design/scale.md): progress while wiring links is throttled, a
# converged re-run writes nothing, -ThrottleLimit's range covers fleets, and the lab accepts a fleet's size.
# bench/scale.ps1 measures the sizes a test cannot afford.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 6
    $script:Clusters = @(Get-MeshCluster -Kubeconfig @($script:Lab.clusters.kubeconfig))

    function Get-RequestCount { Invoke-RestMethod -Uri "$($script:Lab.controlUrl.TrimEnd('/'))/requests" }
    function Clear-RequestCount { Invoke-RestMethod -Method Delete -Uri "$($script:Lab.controlUrl.TrimEnd('/'))/requests" | Out-Null }
}

AfterAll {
    Stop-TestLab $script:Lab
}

Describe 'Fleet scale' -Tag Lab {
    It 'wires 30 links with at most ~10 progress updates a second, then a re-run writes nothing' {
        # A runspace of its own, so that its progress records can be counted.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Project)
                    Import-Module $Manifest
                    $input | New-Mesh -FleetProjectId $Project -WarningAction SilentlyContinue
                }).AddArgument($script:ModuleManifest).AddArgument($script:Lab.FleetProjectId)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $mesh = @($ps.Invoke($script:Clusters))
            $elapsed = $watch.Elapsed.TotalSeconds
            $ps.Streams.Error | Should -BeNullOrEmpty
            $mesh.Count | Should -Be 1
            $mesh[0].Links.Count | Should -Be 30
            $mesh[0].Connected | Should -Be 30
            $wiring = @($ps.Streams.Progress | Where-Object { $_.Activity -eq 'Wiring links' -and $_.RecordType -eq 'Processing' })
            # One record per link before; now the first, then one per 100 ms at most.
            $wiring.Count | Should -BeLessThan 30
            $wiring.Count | Should -BeLessOrEqual ([Math]::Ceiling($elapsed * 10) + 2)
            @($ps.Streams.Progress | Where-Object { $_.Activity -eq 'Wiring links' -and $_.RecordType -eq 'Completed' }).Count | Should -Be 1
        }
        finally {
            $ps.Dispose()
        }

        Clear-RequestCount
        $again = $script:Clusters | New-Mesh -FleetProjectId $script:Lab.FleetProjectId -WarningAction SilentlyContinue
        @($again.Links | Where-Object Outcome -NE 'Unchanged').Count | Should -Be 0
        $again.Connected | Should -Be 30
        (Get-RequestCount).writes | Should -Be 0
        (Get-RequestCount).total | Should -BeGreaterThan 0
    }

    It '-ThrottleLimit accepts a fleet-sized value and refuses more than 1024' {
        $range = (Get-Command New-Mesh).Parameters['ThrottleLimit'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $range.MaxRange | Should -Be 1024
        { $script:Clusters | New-Mesh -FleetProjectId $script:Lab.FleetProjectId -ThrottleLimit 1025 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,HybridMesh.Commands.NewMeshCommand'
        $mesh = $script:Clusters | New-Mesh -FleetProjectId $script:Lab.FleetProjectId -ThrottleLimit 250 -WarningAction SilentlyContinue
        $mesh.Connected | Should -Be 30
    }

    It 'Start-MeshLab takes up to 250 clusters, a fleet''s size' {
        $range = (Get-Command Start-MeshLab).Parameters['Clusters'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $range.MaxRange | Should -Be 250
        { Start-MeshLab -Clusters 251 -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Start-MeshLab'
    }
}
