# Steps 3 and 4 of the runbook against the lab (simulated clusters and fleet on 127.0.0.1), through the packaged
# module: the pipeline Get-MeshCluster | Get-MeshEnvironment | Install-EastWestGateway | Publish-MeshService.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 2 -ExtraArguments @('--lb-delay-ms', '100')
    Use-TestLabFleet $script:Lab
    $script:Kubeconfigs = @($script:Lab.clusters.kubeconfig)

    function Get-LabRequest([string] $Cluster) {
        # Invoke-RestMethod emits a JSON array as one object; unroll it into the entries.
        $entries = Invoke-RestMethod -Uri "$($script:Lab.controlUrl)/clusters/$Cluster/requests"
        @($entries).Where({ $null -ne $_ })
    }
    function Clear-LabRequest([string] $Cluster) {
        Invoke-RestMethod -Method Delete -Uri "$($script:Lab.controlUrl)/clusters/$Cluster/requests" | Out-Null
    }
}

AfterAll {
    Stop-TestLab $script:Lab
}

Describe 'Install-EastWestGateway and Publish-MeshService against the lab' -Tag Lab {
    It 'prints the IstioOperator offline with -Network and -Revision' {
        $yaml = Install-EastWestGateway -Network net-x -Revision asm-1282-4 -AsIstioOperator
        $yaml | Should -Match 'kind: IstioOperator'
        $yaml | Should -Match 'revision: "?asm-1282-4"?'
        $yaml | Should -Match 'ISTIO_META_REQUESTED_NETWORK_VIEW'
    }

    It 'installs and publishes on both clusters through the pipeline' {
        $script:Exposures = @(Get-MeshCluster -Kubeconfig $script:Kubeconfigs |
                Get-MeshEnvironment -FleetProjectId $script:Lab.fleet.projectId |
                Install-EastWestGateway -Confirm:$false -TimeoutSec 30 |
                Publish-MeshService -Confirm:$false)

        $script:Exposures.Count | Should -Be 2
        foreach ($exposure in $script:Exposures) {
            $exposure | Should -BeOfType HybridMesh.Models.MeshServiceExposure
            $exposure.ApiVersion | Should -Be 'networking.istio.io/v1'
            $exposure.Outcome | Should -Be 'Created'
            $exposure.GatewayAddress | Should -Match '^100\.64\.'
            $exposure.Revision | Should -Be 'asm-1282-4'
            $exposure.MeshId | Should -Match '^proj-\d+$'
            $exposure.Network | Should -Not -BeNullOrEmpty
        }
        ($script:Exposures | Format-Table | Out-String -Width 200) | Should -Match 'networking.istio.io/v1'
    }

    It 'finds every object Unchanged on a second run and sends only reads' {
        $name = $script:Lab.clusters[0].name
        Clear-LabRequest $name
        $gateways = @(Get-MeshCluster -Kubeconfig $script:Kubeconfigs |
                Get-MeshEnvironment -FleetProjectId $script:Lab.fleet.projectId |
                Install-EastWestGateway -Confirm:$false)

        $gateways.Count | Should -Be 2
        $gateways.Status | Sort-Object -Unique | Should -Be 'Ready'
        $gateways.Objects.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
        $requests = @(Get-LabRequest $name)
        $requests.Count | Should -BeGreaterThan 0
        @($requests | Where-Object method -ne 'GET').Count | Should -Be 0
    }

    It 'takes a later step''s output back by property name (Cluster, Network, Revision)' {
        $again = @($script:Exposures | Install-EastWestGateway -Confirm:$false)
        $again.Count | Should -Be 2
        $again.Network | Should -Be $script:Exposures.Network
        $again.Objects.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
    }

    It 'prints the YAML it would apply with -ManifestOnly, reading the network and revision from the cluster' {
        $cluster = $script:Lab.clusters[1]
        $name = $cluster.name
        Clear-LabRequest $name
        $yaml = Install-EastWestGateway -Kubeconfig $cluster.kubeconfig -Context $cluster.context -ManifestOnly
        $yaml | Should -Match 'kind: Deployment'
        $yaml | Should -Match 'topology.istio.io/network: "?default"?'
        $yaml | Should -Match 'istio.io/rev: "?asm-1282-4"?'
        @(Get-LabRequest $name | Where-Object method -ne 'GET').Count | Should -Be 0
    }

    It 'reports a network that differs from the cluster''s label as that cluster''s error, with the fix' {
        $cluster = $script:Lab.clusters[1]
        $result = Install-EastWestGateway -Kubeconfig $cluster.kubeconfig -Context $cluster.context -Network other-net `
            -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'HybridMesh.NetworkLabelMismatch,*'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
    }

    It 'lists the plan under -WhatIf with only reads, then uninstalls exactly its own objects' {
        $name = $script:Lab.clusters[0].name
        Clear-LabRequest $name
        $whatIf = Get-MeshCluster -Kubeconfig $script:Kubeconfigs | Uninstall-EastWestGateway -WhatIf -PassThru
        @($whatIf | Where-Object Outcome -eq 'Skipped').Count | Should -Be 14   # 6 objects + the label, per cluster
        $requests = @(Get-LabRequest $name)
        $requests.Count | Should -BeGreaterThan 0
        @($requests | Where-Object method -ne 'GET').Count | Should -Be 0

        $unpublished = @($script:Exposures | Unpublish-MeshService -Confirm:$false -PassThru)
        $unpublished.Outcome | Sort-Object -Unique | Should -Be 'Deleted'
        $removed = @(Get-MeshCluster -Kubeconfig $script:Kubeconfigs | Uninstall-EastWestGateway -Confirm:$false -PassThru)
        @($removed | Where-Object Outcome -eq 'Deleted').Count | Should -Be 12
    }
}
