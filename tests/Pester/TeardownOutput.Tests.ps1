# What the teardown cmdlets return: Remove-Mesh -PassThru lists what it removed (like Uninstall/Unpublish), and
# Unpublish-MeshService on a cluster without the Gateway says NotFound.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2
    $script:kubeconfigs = @($lab.clusters.kubeconfig)

    function script:Get-RemoteSecretNames($Cluster) {
        @(Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($Cluster.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system") |
            ForEach-Object { $_ } | Where-Object { $_.metadata.name -like 'istio-remote-secret-*' } | ForEach-Object { $_.metadata.name }
    }
}

AfterAll {
    Stop-TestLab $lab
}

Describe 'Remove-Mesh -PassThru' -Tag Integration {
    BeforeAll {
        $script:environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId
        $environment | New-Mesh -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    }

    It 'lists every Secret it would delete as Skipped under -WhatIf, and deletes nothing' {
        $before = @($lab.clusters | ForEach-Object { Get-RemoteSecretNames $_ })
        $before | Should -HaveCount 2
        $planned = $environment | Remove-Mesh -WhatIf -PassThru
        $planned | Should -HaveCount 2
        $planned | ForEach-Object { $_ | Should -BeOfType ([HybridMesh.Models.AppliedObject]) }
        $planned.Outcome | Sort-Object -Unique | Should -Be 'Skipped'
        @($lab.clusters | ForEach-Object { Get-RemoteSecretNames $_ }) | Should -Be $before
    }

    It 'returns each deleted Secret with its cluster, and nothing without -PassThru' {
        $expected = foreach ($cluster in $lab.clusters) { Get-RemoteSecretNames $cluster | ForEach-Object { "$($cluster.context)|$_" } }
        $removed = $environment | Remove-Mesh -Confirm:$false -PassThru
        $removed | Should -HaveCount 2
        $removed.Outcome | Sort-Object -Unique | Should -Be 'Deleted'
        $removed.Kind | Sort-Object -Unique | Should -Be 'Secret'
        $removed.Namespace | Sort-Object -Unique | Should -Be 'istio-system'
        @($removed | ForEach-Object { "$($_.Context)|$($_.Name)" }) | Should -Be @($expected)
        @($lab.clusters | ForEach-Object { Get-RemoteSecretNames $_ }) | Should -HaveCount 0
        # The same command again: nothing left to remove, and without -PassThru nothing is written.
        $environment | Remove-Mesh -Confirm:$false | Should -BeNullOrEmpty
        (Get-Command Remove-Mesh).OutputType.Type | Should -Contain ([HybridMesh.Models.AppliedObject])
    }
}

Describe 'Unpublish-MeshService on a cluster without the Gateway' -Tag Integration {
    It 'says NotFound, not Unchanged' {
        $cluster = $lab.clusters[1]
        $result = Unpublish-MeshService -Kubeconfig $cluster.kubeconfig -Context $cluster.context -Confirm:$false -PassThru
        $result | Should -HaveCount 1
        $result.Kind | Should -Be 'Gateway'
        $result.Name | Should -Be 'cross-network-gateway'
        $result.Outcome | Should -Be 'NotFound'
        $result.Context | Should -Be $cluster.context
    }

    It 'still says Deleted for a Gateway it published' {
        $cluster = $lab.clusters[0]
        Get-MeshCluster -Kubeconfig $kubeconfigs -Context $cluster.context | Install-EastWestGateway -Network net-a -Confirm:$false |
            Publish-MeshService -Confirm:$false | Out-Null
        $result = Unpublish-MeshService -Kubeconfig $cluster.kubeconfig -Context $cluster.context -Confirm:$false -PassThru
        $result.Outcome | Should -Be 'Deleted'
    }
}
