# The worked example of README "Testing your runbooks with HybridMesh.Lab": a runbook tested under Pester with the
# lab module, no clusters and no cloud account.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    Import-Module (Join-Path $env:HYBRIDMESH_LAB_MODULE_PATH 'HybridMesh.Lab.psd1') -Force
    $script:savedEndpoint = $env:HYBRIDMESH_GOOGLE_API_ENDPOINT
    $script:lab = Start-MeshLab -Clusters 2
}

AfterAll {
    if ($lab) { Stop-MeshLab $lab }
}

Describe 'HybridMesh.Lab' -Tag Integration {
    It 'starts clusters that the runbook cmdlets can use, and points Google calls at the simulated fleet' {
        $lab.Kubeconfig | Should -HaveCount 2
        $lab.Kubeconfig | ForEach-Object { $_ | Should -Exist }
        $env:HYBRIDMESH_GOOGLE_API_ENDPOINT | Should -Be $lab.FleetUrl
        ([Uri] $env:HYBRIDMESH_GOOGLE_API_ENDPOINT).Host | Should -Be '127.0.0.1'

        $environment = Get-MeshCluster -Kubeconfig $lab.Kubeconfig | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId
        $environment.MeshId | Should -Be "proj-$($lab.ProjectNumber)"
        $environment.Networks | Should -HaveCount 2
    }

    It 'injects faults the module rides out, and shows the requests it received' {
        Get-MeshLabRequest $lab -Cluster cluster2 -Clear | Out-Null
        Add-MeshLabFault $lab -Cluster cluster2 -Kind Status -StatusCode 503 -Count 2
        try {
            $cluster = Get-MeshCluster -Kubeconfig $lab.Kubeconfig -Context $lab.Context[1] -Detailed
            $cluster.Details.IstioRevisions | Should -Be @('asm-1282-4')
            $requests = Get-MeshLabRequest $lab -Cluster cluster2
            @($requests | Where-Object status -EQ 503) | Should -HaveCount 2
            $requests.method | Sort-Object -Unique | Should -Be @('GET')
        }
        finally { Clear-MeshLabFault $lab -Cluster cluster2 }
    }

    It 'makes a gateway stay pending like an on-prem cluster without a load balancer' {
        Set-MeshLabLoadBalancer $lab -Cluster cluster2 -Never
        try {
            Install-EastWestGateway -Kubeconfig $lab.Kubeconfig -Context $lab.Context[1] -Network onprem-net -TimeoutSec 2 `
                -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            $err[0].FullyQualifiedErrorId | Should -BeLike 'HybridMesh.GatewayAddressTimeout,*'
        }
        finally {
            Set-MeshLabLoadBalancer $lab -Cluster cluster2 -DelayMs 50
            Uninstall-EastWestGateway -Kubeconfig $lab.Kubeconfig -Context $lab.Context[1] -Confirm:$false
        }
    }

    It 'runs the README pipeline including -Traffic on a lab started with -MeshTraffic' {
        $meshLab = Start-MeshLab -Clusters 2 -MeshTraffic
        try {
            $output = Get-MeshCluster -Kubeconfig $meshLab.Kubeconfig |
                Get-MeshEnvironment -FleetProjectId $meshLab.FleetProjectId |
                Install-EastWestGateway |
                Publish-MeshService |
                New-Mesh -Confirm:$false -WarningAction SilentlyContinue |
                Test-MeshConnectivity -Traffic -Requests 4 -TimeoutSec 60
            $checks = @($output | Where-Object { $_ -is [HybridMesh.Models.MeshCheck] })
            @($checks | Where-Object Status -NE 'Passed' | ForEach-Object { "$_ $($_.Detail)" }) | Should -BeNullOrEmpty
            # istiod's own view is read (the lab's istiods answer /debug/clusterz): one sync check per ordered link.
            ($checks | Where-Object Check -EQ 'RemoteClusterSync').Status | Should -Be @('Passed', 'Passed')
            $traffic = @($output | Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] })
            $traffic | Should -HaveCount 2
            $traffic.Passed | Should -Be @($true, $true)
            $traffic[0].Reached | Should -Be @('v1', 'v2')

            # The in-cluster probes ran from one pod per cluster, passed, and left no pod behind.
            ($checks | Where-Object Check -EQ 'PodApiServerReach').Status | Should -Be @('Passed', 'Passed')
            ($checks | Where-Object Check -EQ 'PodGatewayReach').Status | Should -Be @('Passed', 'Passed')
            ($checks | Where-Object Check -EQ 'PodApiServerReach')[0].Probes.Step | Should -Be @('GET /version', 'list services')
            foreach ($name in 'cluster1', 'cluster2') {
                $pods = Invoke-RestMethod -Uri "$($meshLab.ControlUrl)/clusters/$name/objects?apiVersion=v1&kind=Pod&namespace=istio-system"
                @($pods | ForEach-Object { $_ } | Where-Object { $_.metadata.labels.app -eq 'hybridmesh-probe' }) | Should -HaveCount 0
            }

            # A partition only the pods see: istiod's view and the pod probe fail that link with the remedy, the
            # workstation checks pass.
            Add-MeshLabFault $meshLab -Cluster cluster1 -Kind PartitionApiServer -Peer cluster2
            $checks = Get-MeshCluster -Kubeconfig $meshLab.Kubeconfig | Test-MeshConnectivity
            $failed = @($checks | Where-Object Status -EQ 'Failed' | Sort-Object Check)
            $failed.Check | Should -BeExactly @('PodApiServerReach', 'RemoteClusterSync')
            $failed.Cluster | Should -Be @($meshLab.Context[0], $meshLab.Context[0])
            $failed.Peer | Should -Be @($meshLab.Context[1], $meshLab.Context[1])
            $failed.RecommendedAction | ForEach-Object { $_ | Should -Match 'ServerOverride' }
            $failed[0].Probes[0].Error | Should -Be 'Timeout'
            Clear-MeshLabFault $meshLab -Cluster cluster1

            # Pods of cluster2 cannot reach cluster1's east-west gateway: only that probe fails, naming the ports.
            Add-MeshLabFault $meshLab -Cluster cluster2 -Kind PartitionGateway -Peer cluster1
            $failed = @(Get-MeshCluster -Kubeconfig $meshLab.Kubeconfig | Test-MeshConnectivity | Where-Object Status -EQ 'Failed')
            $failed.Check | Should -BeExactly @('PodGatewayReach')
            $failed[0].Cluster | Should -Be $meshLab.Context[1]
            $failed[0].RecommendedAction | Should -Match 'TCP 15443 and 15021'
            Clear-MeshLabFault $meshLab -Cluster cluster2

            # The probe image cannot be pulled in cluster1: a warning naming -ProbeImage, never a failure or an error.
            Add-MeshLabFault $meshLab -Cluster cluster1 -Kind ImagePull -Image 'docker.io/curlimages/curl:8.16.0'
            $checks = Get-MeshCluster -Kubeconfig $meshLab.Kubeconfig | Test-MeshConnectivity -ErrorAction Stop
            @($checks | Where-Object Status -EQ 'Failed') | Should -HaveCount 0
            $warned = @($checks | Where-Object Status -EQ 'Warning')
            $warned.Check | Sort-Object | Should -BeExactly @('PodApiServerReach', 'PodGatewayReach')
            $warned | ForEach-Object { $_.RecommendedAction | Should -Match '-ProbeImage' }
            Clear-MeshLabFault $meshLab -Cluster cluster1
            Get-MeshCluster -Kubeconfig $meshLab.Kubeconfig | Test-MeshConnectivity -Quiet | Should -BeTrue
        }
        finally { Stop-MeshLab $meshLab }
        $env:HYBRIDMESH_GOOGLE_API_ENDPOINT | Should -Be $lab.FleetUrl
    }

    It 'restores the environment and stops the server when stopped' {
        $second = Start-MeshLab -Clusters 1
        $process = Get-Process -Id $second.ProcessId
        Stop-MeshLab $second
        $process.HasExited | Should -BeTrue
        $env:HYBRIDMESH_GOOGLE_API_ENDPOINT | Should -Be $lab.FleetUrl
        $second.Path | Should -Not -Exist
    }

    It 'hosts -Shared labs in one process of this session, each a whole lab, and stops only the one asked' {
        $first = Start-MeshLab -Clusters 1 -Shared -NoFleetEnvironment
        $second = Start-MeshLab -Clusters 2 -Shared -NoFleetEnvironment
        try {
            $second.ProcessId | Should -Be $first.ProcessId
            $first.ProcessId | Should -Not -Be $lab.ProcessId
            $second.ControlUrl | Should -Not -Be $first.ControlUrl
            $second.Kubeconfig | Should -HaveCount 2
            (Get-MeshCluster -Kubeconfig $first.Kubeconfig).Context | Should -Be 'gke_lab-gke-project_us-central1_cluster1'
            Stop-MeshLab $first
            $first.Path | Should -Not -Exist
            { Get-MeshCluster -Kubeconfig $second.Kubeconfig -Detailed -ErrorAction Stop } | Should -Not -Throw
            Get-MeshLabRequest $second -Cluster cluster2 | Should -Not -BeNullOrEmpty
            (Get-Process -Id $second.ProcessId).HasExited | Should -BeFalse
            { Start-MeshLab -Clusters 1 -Shared -NoFleetEnvironment -ArgumentList '--no-such-option' } |
                Should -Throw '*did not start the lab: unknown argument --no-such-option*'
        }
        finally { Stop-MeshLab $second }
        $second.Path | Should -Not -Exist
    }

    It 'has help for every command' {
        foreach ($name in (Get-Module HybridMesh.Lab).ExportedFunctions.Keys) {
            $help = Get-Help $name
            $help.Synopsis | Should -Not -BeNullOrEmpty
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        }
    }
}
