# Get-MeshLink's SyncStatus and Update-MeshLinkCredential's istiod proof through the packaged module, against the
# out-of-process lab with the mesh traffic model (istiod answers /debug/clusterz through exec): synced links, an
# istiod-timeout fault on one target, -SkipIstiodView, and the error id of a target whose istiod does not sync.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 2 -ExtraArguments '--mesh-traffic'
    Use-TestLabFleet $script:Lab
    $script:Kubeconfigs = @($script:Lab.clusters.kubeconfig)
    $script:Source = $script:Lab.clusters[0]
    $script:Target = $script:Lab.clusters[1]
    $script:Control = $script:Lab.controlUrl.TrimEnd('/')

    function Add-IstiodTimeout {
        $fault = @{ kind = 'istiod-timeout'; peer = $script:Source.name } | ConvertTo-Json
        Invoke-RestMethod -Method Post -Uri "$script:Control/clusters/$($script:Target.name)/faults" -Body $fault -ContentType 'application/json' | Out-Null
    }

    Get-MeshCluster -Kubeconfig $script:Kubeconfigs |
        New-Mesh -FleetProjectId $script:Lab.fleet.projectId -WarningAction SilentlyContinue | Out-Null
}

AfterAll {
    Stop-TestLab $script:Lab
}

Describe 'Get-MeshLink SyncStatus' -Tag Lab {
    It 'shows istiod''s status for every link, and nothing with -SkipIstiodView' {
        $links = @(Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink)
        $links | Should -HaveCount 2
        $links.SyncStatus | Sort-Object -Unique | Should -BeExactly 'synced'
        ($links | Format-List | Out-String) | Should -Match 'SyncStatus\s+:\s+synced'

        $skipped = @(Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink -SkipIstiodView)
        $skipped | Should -HaveCount 2
        $skipped | ForEach-Object { $_.SyncStatus | Should -BeNullOrEmpty }
    }

    It 'shows an istiod timeout on its link only' {
        try {
            Add-IstiodTimeout
            $links = @(Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink)
            ($links | Where-Object { $_.SourceContext -eq $Source.context }).SyncStatus | Should -BeExactly 'timeout'
            ($links | Where-Object { $_.SourceContext -eq $Target.context }).SyncStatus | Should -BeExactly 'synced'
        }
        finally {
            Invoke-RestMethod -Method Delete -Uri "$Control/clusters/$($Target.name)/faults" | Out-Null
        }
    }
}

Describe 'Update-MeshLinkCredential istiod proof' -Tag Lab {
    It 'fails a target whose istiod does not sync with a stable id, and -SkipIstiodView finishes with the workstation proof' {
        try {
            Add-IstiodTimeout
            $first = Get-MeshCluster -Kubeconfig $Kubeconfigs |
                Update-MeshLinkCredential -Source $Source.context -TimeoutSec 2 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $first.Status | Should -Be 'Partial'
            $first.OldTokenDeleted | Should -BeFalse
            $first.Targets[0].Proof | Should -Be 'Istiod'
            $first.Targets[0].SyncStatus | Should -BeExactly 'timeout'
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.LinkRotationNotSynced,HybridMesh.Commands.UpdateMeshLinkCredentialCommand'
            $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $failures[0].ErrorDetails.RecommendedAction | Should -Match 'SkipIstiodView'

            $second = Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -Source $Source.context -SkipIstiodView -Confirm:$false
            $second.Status | Should -Be 'Rotated'
            $second.NewTokenSecret | Should -Be $first.NewTokenSecret
            $second.Targets[0].Proof | Should -Be 'Workstation'
        }
        finally {
            Invoke-RestMethod -Method Delete -Uri "$Control/clusters/$($Target.name)/faults" | Out-Null
        }
    }

    It 'verifies a rotation through istiod where it is readable' {
        $rotation = Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -Source $Target.context -Confirm:$false
        $rotation.Status | Should -Be 'Rotated'
        $rotation.Targets[0].Proof | Should -Be 'Istiod'
        $rotation.Targets[0].SyncStatus | Should -BeExactly 'synced'
        (Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink).SyncStatus | Sort-Object -Unique | Should -BeExactly 'synced'
    }
}
