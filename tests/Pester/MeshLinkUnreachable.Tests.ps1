# Issue 10.13: an API server that stops answering while New-Mesh writes a link is reported as
# MeshLinkClusterUnreachable (what about_HybridMesh_Troubleshooting documents for a dead cluster), not MeshLinkFailed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2
    Use-TestLabFleet $lab
    $script:environment = Get-MeshCluster -Kubeconfig @($lab.clusters.kubeconfig) |
        Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId
    $script:environment | Install-EastWestGateway -Confirm:$false | Publish-MeshService -Confirm:$false | Out-Null
}

AfterAll { Stop-TestLab $lab }

Describe 'New-Mesh when a cluster dies part-way' -Tag Integration {
    It 'reports the link into the dead cluster as MeshLinkClusterUnreachable' {
        $target = $lab.clusters[1]
        # Reads still work (the pre-flight passes); every write to the target's API server drops the connection.
        $fault = @{ kind = 'reset'; method = 'PATCH'; count = 1000 } | ConvertTo-Json
        Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($target.name)/faults" -Body $fault -ContentType 'application/json' | Out-Null
        try {
            $mesh = $environment | New-Mesh -Confirm:$false -RequestTimeoutSec 3 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        finally {
            Invoke-RestMethod -Method Delete -Uri "$($lab.controlUrl)/clusters/$($target.name)/faults" | Out-Null
        }
        $intoDead = @($failures | Where-Object { "$($_.TargetObject)" -match [regex]::Escape($target.clusterId) -or $_.Exception.Message -match [regex]::Escape($target.context) })
        $intoDead.Count | Should -BeGreaterThan 0
        $intoDead.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'HybridMesh.MeshLinkClusterUnreachable,HybridMesh.Commands.NewMeshCommand'
        @($failures | Where-Object FullyQualifiedErrorId -like 'HybridMesh.MeshLinkFailed,*') | Should -HaveCount 0
        ($mesh.Links | Where-Object TargetContext -EQ $target.context).Status | Should -Be 'Unreachable'
    }
}
