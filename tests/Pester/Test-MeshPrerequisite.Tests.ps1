BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2
    Use-TestLabFleet $lab
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:gke = $lab.clusters | Where-Object platform -EQ 'Gke' | Select-Object -First 1
    $script:onprem = $lab.clusters | Where-Object platform -EQ 'OnPrem' | Select-Object -First 1

    function script:Send-LabObject($Cluster, [hashtable] $Object) {
        $body = $Object | ConvertTo-Json -Depth 20
        Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($Cluster.name)/objects" -Body $body -ContentType 'application/json' | Out-Null
    }

    # What the seed asks for before anything is installed: each cluster on its own network id, and on-prem a
    # load-balancer implementation that has given some Service an address.
    foreach ($c in $lab.clusters) {
        Send-LabObject $c @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system'; labels = @{ 'topology.istio.io/network' = "net-$($c.name)" } } }
    }
    Send-LabObject $onprem @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'ingress'; namespace = 'default' }
        spec = @{ type = 'LoadBalancer'; selector = @{ app = 'ingress' }; ports = @(@{ port = 443 }) } }
    $deadline = (Get-Date).AddSeconds(10)
    do {
        Start-Sleep -Milliseconds 100
        $services = Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($onprem.name)/objects?apiVersion=v1&kind=Service&namespace=default"
        $service = @($services | ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'ingress' })[0]
        $addressed = ($service | ConvertTo-Json -Depth 10) -match '"ingress":\s*\[\s*\{'
    } until ($addressed -or (Get-Date) -gt $deadline)
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item Env:HYBRIDMESH_GOOGLE_API_ENDPOINT, Env:GOOGLE_APPLICATION_CREDENTIALS -ErrorAction SilentlyContinue
}

Describe 'Test-MeshPrerequisite against the lab' -Tag Integration {
    It 'returns one MeshCheck per prerequisite and cluster, none failed, and only reads' {
        foreach ($c in $lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$($lab.controlUrl)/clusters/$($c.name)/requests" | Out-Null }
        $checks = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId -InformationVariable info
        $checks | Should -HaveCount (2 * 12)
        $checks | ForEach-Object { $_ | Should -BeOfType ([HybridMesh.Models.MeshCheck]) }
        @($checks | Where-Object Status -EQ 'Failed') | Should -HaveCount 0
        @($checks | Where-Object Status -EQ 'Warning') | Should -HaveCount 0
        # Skipped only where a check belongs to the other platform.
        ($checks | Where-Object Status -EQ 'Skipped' | ForEach-Object { "$($_.Check)@$($_.Cluster)" } | Sort-Object) |
            Should -Be (@("GkeNetwork@$($onprem.context)", "LoadBalancer@$($gke.context)", "LoadBalancerPolicy@$($onprem.context)",
                    "PrivateCluster@$($onprem.context)") | Sort-Object)
        ($checks | Where-Object Check -EQ 'Permissions').Status | Should -Be @('Passed', 'Passed')
        ($checks | Where-Object { $_.Check -eq 'GkeNetwork' -and $_.Cluster -eq $gke.context }).Detail | Should -Match 'projects/lab-gke-project/global/networks/'
        "$info" | Should -Match '^24 checks: \d+ passed, 0 warning\(s\), 0 failed, 4 skipped\.$'
        foreach ($c in $lab.clusters) {
            $requests = @(Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($c.name)/requests" | ForEach-Object { $_ })
            @($requests | Where-Object { $_.method -ne 'GET' -and $_.path -notlike '*/selfsubjectaccessreviews' }) | Should -HaveCount 0
        }
    }

    It 'shows checks as a table with Status, Cluster, Check, Peer and Detail' {
        $text = Test-MeshPrerequisite -Kubeconfig $gke.kubeconfig -Context $gke.context -SkipGoogleCheck | Format-Table | Out-String -Width 400
        $text | Should -Match 'Status\s+Cluster\s+Check\s+Peer\s+Detail'
        # Clusters by their short name in the view (docs/design/cluster-names.md): the GKE cluster name.
        $text | Should -Match "Skipped\s+$([regex]::Escape($gke.name))\s+LoadBalancerPolicy"
        $text | Should -Match '-SkipGoogleCheck'
    }

    It 'before Install-EastWestGateway (no network label yet) judges the networks Get-MeshEnvironment names' {
        foreach ($c in $lab.clusters) { Send-LabObject $c @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system' } } }
        try {
            $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId
            $network = $environment | Test-MeshPrerequisite -SkipGoogleCheck | Where-Object Check -EQ 'NetworkLabel'
            $network.Status | Should -Be @('Passed', 'Passed')
            # Without a network from the input there is nothing the install could write: that still fails, with the fix.
            $bare = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -SkipGoogleCheck | Where-Object Check -EQ 'NetworkLabel'
            $bare.Status | Should -Be @('Failed', 'Failed')
            $bare[0].RecommendedAction | Should -Match 'topology.istio.io/network'
        }
        finally {
            foreach ($c in $lab.clusters) {
                Send-LabObject $c @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system'; labels = @{ 'topology.istio.io/network' = "net-$($c.name)" } } }
            }
        }
    }

    It '-Quiet returns a single true, and false once a prerequisite fails' {
        $ok = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId -Quiet
        $ok | Should -HaveCount 1
        $ok | Should -BeOfType ([bool])
        $ok | Should -BeTrue
        # Both clusters on one network id: a GKE and an on-prem cluster are really on different networks.
        Send-LabObject $onprem @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system'; labels = @{ 'topology.istio.io/network' = "net-$($gke.name)" } } }
        try {
            $checks = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -SkipGoogleCheck
            $shared = $checks | Where-Object { $_.Check -eq 'NetworkLabel' -and $_.Cluster -eq $onprem.context }
            $shared.Status | Should -Be 'Failed'
            $shared.RecommendedAction | Should -Match 'topology.istio.io/network'
            Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -SkipGoogleCheck -Quiet | Should -BeFalse
        }
        finally {
            Send-LabObject $onprem @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system'; labels = @{ 'topology.istio.io/network' = "net-$($onprem.name)" } } }
        }
    }
}

Describe 'Test-MeshPrerequisite failures, each with its fix' -Tag Integration {
    BeforeAll {
        $script:fleetControl = $lab.fleet.controlUrl.TrimEnd('/')
        # gke_<project>_<location>_<cluster>
        $script:gkeParts = $gke.context -split '_'
        function script:Set-Fleet([string] $Path, [hashtable] $Body) {
            Invoke-RestMethod -Method Post -Uri "$fleetControl/$Path" -Body ($Body | ConvertTo-Json -Depth 10) -ContentType 'application/json' | Out-Null
        }
    }

    It 'an organisation policy denying external load balancers fails LoadBalancerPolicy, and an unreadable one is Skipped' {
        Set-Fleet 'orgpolicy' @{ project = $gkeParts[1]; listPolicy = @{ deniedValues = @('in:EXTERNAL') } }
        try {
            $checks = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId
            $policy = $checks | Where-Object { $_.Check -eq 'LoadBalancerPolicy' -and $_.Cluster -eq $gke.context }
            $policy.Status | Should -Be 'Failed'
            $policy.Detail | Should -Match 'EXTERNAL_NETWORK_TCP_UDP'
            $policy.RecommendedAction | Should -Match 'Install-EastWestGateway -InternalLoadBalancer'
            $internal = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId -InternalLoadBalancer
            ($internal | Where-Object { $_.Check -eq 'LoadBalancerPolicy' -and $_.Cluster -eq $gke.context }).Status | Should -Be 'Passed'

            Set-Fleet 'orgpolicy' @{ project = $gkeParts[1]; readDenied = $true }
            $skipped = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId |
                Where-Object { $_.Check -eq 'LoadBalancerPolicy' -and $_.Cluster -eq $gke.context }
            $skipped.Status | Should -Be 'Skipped'
            $skipped.Detail | Should -Match 'may not read organisation policies'
        }
        finally {
            Set-Fleet 'orgpolicy' @{ project = $gkeParts[1]; listPolicy = $null; readDenied = $false }
        }
    }

    It 'a private GKE control plane fails PrivateCluster unless -ServerOverride answers' {
        Set-Fleet 'gkecluster' @{ project = $gkeParts[1]; location = $gkeParts[2]; name = $gkeParts[3]; privateEndpoint = $true }
        try {
            $private = Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId |
                Where-Object { $_.Check -eq 'PrivateCluster' -and $_.Cluster -eq $gke.context }
            $private.Status | Should -Be 'Failed'
            $private.RecommendedAction | Should -Match '-ServerOverride'
            Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId -Quiet | Should -BeFalse

            $override = Get-MeshCluster -Kubeconfig $kubeconfigs |
                Test-MeshPrerequisite -FleetProjectId $lab.fleet.projectId -ServerOverride @{ $gke.name = $gke.server } |
                Where-Object { $_.Check -eq 'PrivateCluster' -and $_.Cluster -eq $gke.context }
            $override.Status | Should -Be 'Passed'
        }
        finally {
            Set-Fleet 'gkecluster' @{ project = $gkeParts[1]; location = $gkeParts[2]; name = $gkeParts[3]; privateEndpoint = $false }
        }
    }
}

Describe 'Test-MeshPrerequisite input errors' {
    It 'a -ServerOverride value that is not a URL is ServerUrlInvalid before anything is read' {
        foreach ($c in $lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$($lab.controlUrl)/clusters/$($c.name)/requests" | Out-Null }
        $failed = $null
        try { Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -SkipGoogleCheck -ServerOverride @{ $gke.context = 'not a url' } } catch { $failed = $_ }
        $failed.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ServerUrlInvalid,HybridMesh.Commands.TestMeshPrerequisiteCommand'
        $failed.Exception.Message | Should -Match 'not an absolute http\(s\) URL'
        foreach ($c in $lab.clusters) {
            @(Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($c.name)/requests" | ForEach-Object { $_ } |
                Where-Object { $_.path -like '/api/v1/namespaces/istio-system*' }) | Should -HaveCount 0
        }
    }

    It 'a -ServerOverride key that names no cluster is ClusterNameUnknown' {
        $failed = $null
        try { Get-MeshCluster -Kubeconfig $kubeconfigs | Test-MeshPrerequisite -SkipGoogleCheck -ServerOverride @{ 'nope' = 'https://10.0.0.2' } } catch { $failed = $_ }
        $failed.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ClusterNameUnknown,HybridMesh.Commands.TestMeshPrerequisiteCommand'
    }

    It 'no cluster at all is NoClusters' {
        $failed = $null
        try { Test-MeshPrerequisite -SkipGoogleCheck } catch { $failed = $_ }
        $failed.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.NoClusters,HybridMesh.Commands.TestMeshPrerequisiteCommand'
    }
}
