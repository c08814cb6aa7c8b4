BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2 -ExtraArguments '--mesh-traffic'
    Use-TestLabFleet $lab
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:first = $lab.clusters[0]

    function script:Send-LabObject($Cluster, [hashtable] $Object) {
        $body = $Object | ConvertTo-Json -Depth 20
        Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($Cluster.name)/objects" -Body $body -ContentType 'application/json' | Out-Null
    }
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item Env:HYBRIDMESH_GOOGLE_API_ENDPOINT, Env:GOOGLE_APPLICATION_CREDENTIALS -ErrorAction SilentlyContinue
}

Describe 'Test-MeshConnectivity against the lab' -Tag Integration {
    It 'returns one MeshCheck per check, names each fix, and writes a summary' {
        # Fresh lab: Istio and fleet registration are there, the gateway, exposure and links are not.
        $checks = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -InformationVariable info
        $checks | Should -HaveCount (2 * 7 + 2 * 4 + 2 + 2 + 2 + 2)
        $checks | ForEach-Object { $_ | Should -BeOfType ([HybridMesh.Models.MeshCheck]) }
        ($checks | Where-Object Check -eq 'FleetMembership').Status | Should -Be @('Passed', 'Passed')
        $gateway = $checks | Where-Object { $_.Check -eq 'EastWestGateway' -and $_.Cluster -eq $first.context }
        $gateway.Status | Should -Be 'Failed'
        $gateway.RecommendedAction | Should -Match 'Install-EastWestGateway'
        ($checks | Where-Object Check -eq 'CrossNetworkGateway').RecommendedAction | Should -Be @('Run Publish-MeshService.', 'Run Publish-MeshService.')
        ($checks | Where-Object Check -eq 'RemoteSecret').Peer | Should -Be @($lab.clusters[1].context, $first.context)
        ($checks | Where-Object Check -eq 'RemoteSecret').RecommendedAction | ForEach-Object { $_ | Should -Match 'New-Mesh' }
        "$info" | Should -Match '^30 checks: \d+ passed, \d+ warning\(s\), \d+ failed, \d+ skipped\.$'
    }

    It 'shows checks as a table with Status, Cluster, Check, Peer and Detail' {
        $text = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity | Format-Table | Out-String -Width 400
        $text | Should -Match 'Status\s+Cluster\s+Check\s+Peer\s+Detail'
        # Clusters by their short name (docs/design/cluster-names.md): the GKE cluster name, the on-prem context.
        $text | Should -Match "Failed\s+$([regex]::Escape($first.name))\s+RemoteSecret\s+$([regex]::Escape($lab.clusters[1].context))"
    }

    It '-Quiet returns a single false for a broken mesh' {
        $result = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -Quiet
        $result | Should -HaveCount 1
        $result | Should -BeOfType ([bool])
        $result | Should -BeFalse
    }

    It '-Quiet returns true once a one-cluster mesh is complete, and -Wait waits for it' {
        Send-LabObject $first @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system'; labels = @{ 'topology.istio.io/network' = 'net-a' } } }
        $labels = @{ istio = 'eastwestgateway'; app = 'istio-eastwestgateway'; 'topology.istio.io/network' = 'net-a' }
        Send-LabObject $first @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'istio-eastwestgateway'; namespace = 'istio-system'; labels = $labels }
            spec = @{ selector = @{ matchLabels = $labels }; template = @{ metadata = @{ labels = $labels }; spec = @{ containers = @(@{ name = 'istio-proxy'; image = 'auto' }) } } } }
        Send-LabObject $first @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'istio-eastwestgateway'; namespace = 'istio-system'; labels = $labels }
            spec = @{ type = 'LoadBalancer'; selector = $labels; ports = @(@{ name = 'tls'; port = 15443; targetPort = 15443 }) } }
        $before = Test-MeshConnectivity -Kubeconfig $first.kubeconfig -Context $first.context -Quiet
        $before | Should -BeFalse   # no cross-network-gateway yet
        Send-LabObject $first @{ apiVersion = 'networking.istio.io/v1'; kind = 'Gateway'; metadata = @{ name = 'cross-network-gateway'; namespace = 'istio-system' }
            spec = @{ selector = @{ istio = 'eastwestgateway' }; servers = @(@{ port = @{ number = 15443; name = 'tls'; protocol = 'TLS' }; tls = @{ mode = 'AUTO_PASSTHROUGH' }; hosts = @('*.local') }) } }
        $after = Test-MeshConnectivity -Kubeconfig $first.kubeconfig -Context $first.context -Quiet -Wait -TimeoutSec 30
        $after | Should -HaveCount 1
        $after | Should -BeTrue
    }

    It '-Traffic -WhatIf lists the workload per cluster and sends only reads' {
        foreach ($c in $lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$($lab.controlUrl)/clusters/$($c.name)/requests" | Out-Null }
        $output = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -Traffic -SkipFleetCheck -WhatIf
        @($output | Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] }) | Should -HaveCount 0
        Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -Traffic -SkipFleetCheck -Quiet -WhatIf | Should -BeFalse
        foreach ($c in $lab.clusters) {
            $requests = @(Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($c.name)/requests" | ForEach-Object { $_ })
            $requests.Count | Should -BeGreaterThan 0
            @($requests | Where-Object method -ne 'GET') | Should -HaveCount 0 -Because "cluster $($c.name) must only be read"
            $namespaces = Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($c.name)/objects?apiVersion=v1&kind=Namespace"
            @($namespaces | ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'sample' }) | Should -HaveCount 0
        }
    }

    It '-Traffic returns what each client reached, as a table, and removes the workload' {
        $output = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshConnectivity -Traffic -SkipFleetCheck -Requests 4 -TimeoutSec 60
        $traffic = @($output | Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] })
        $traffic | Should -HaveCount 2
        # Nothing links the clusters, so every client reaches only its own cluster's version.
        $traffic[0].From | Should -Be $first.context
        $traffic[0].Reached | Should -Be @('v1')
        $traffic[0].Missing | Should -Be @('v2')
        $traffic[1].Reached | Should -Be @('v2')
        $traffic[0].Responses | Should -HaveCount 4
        $traffic[0].Responses[0] | Should -Match '^Hello version: v1, instance: helloworld-v1-'
        $text = $traffic | Format-Table | Out-String -Width 200
        $text | Should -Match 'Passed\s+From\s+Reached\s+Missing\s+Responses'
        $text | Should -Match "False\s+$([regex]::Escape($first.context))\s+v1\s+v2\s+4"
        Start-Sleep -Milliseconds 500
        $namespaces = Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($first.name)/objects?apiVersion=v1&kind=Namespace"
        @($namespaces | ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'sample' }) | Should -HaveCount 0
    }
}

Describe 'Test-MeshConnectivity help' {
    It 'documents every parameter and has examples' {
        $help = Get-Help Test-MeshConnectivity -Full
        $help.Synopsis | Should -Match 'mesh works'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        foreach ($name in 'Traffic', 'SkipIstiodView', 'Quiet', 'Wait', 'TimeoutSec', 'HelloworldImage', 'ClientImage', 'KeepWorkload', 'Requests') {
            ($help.Parameters.Parameter | Where-Object Name -eq $name).Description.Text | Should -Not -BeNullOrEmpty
        }
    }
}
