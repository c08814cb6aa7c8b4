# End to end: the whole runbook as a user meets it, on 2 and on 5 lab clusters — one pipeline, a re-run that changes
# nothing, then the teardown, after which every cluster holds exactly the objects it had before.
BeforeDiscovery {
    $script:sizes = @(2, 5)
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh

    # The kinds the runbook touches. A snapshot is the set of "kind ns/name" plus the labels of istio-system.
    $script:Kinds = @(
        @{ apiVersion = 'v1'; kind = 'Namespace' }, @{ apiVersion = 'v1'; kind = 'ServiceAccount' },
        @{ apiVersion = 'v1'; kind = 'Secret' }, @{ apiVersion = 'v1'; kind = 'Service' },
        @{ apiVersion = 'v1'; kind = 'ConfigMap' },
        @{ apiVersion = 'apps/v1'; kind = 'Deployment' }, @{ apiVersion = 'autoscaling/v2'; kind = 'HorizontalPodAutoscaler' },
        @{ apiVersion = 'policy/v1'; kind = 'PodDisruptionBudget' },
        @{ apiVersion = 'rbac.authorization.k8s.io/v1'; kind = 'Role' }, @{ apiVersion = 'rbac.authorization.k8s.io/v1'; kind = 'RoleBinding' },
        @{ apiVersion = 'rbac.authorization.k8s.io/v1'; kind = 'ClusterRole' }, @{ apiVersion = 'rbac.authorization.k8s.io/v1'; kind = 'ClusterRoleBinding' },
        @{ apiVersion = 'networking.istio.io/v1'; kind = 'Gateway' }
    )

    function Get-ClusterSnapshot($Lab, [string] $Name) {
        $lines = foreach ($k in $Kinds) {
            $objects = Invoke-RestMethod -Uri "$($Lab.controlUrl)/clusters/$Name/objects?apiVersion=$($k.apiVersion)&kind=$($k.kind)"
            foreach ($o in @($objects)) {
                # Pods and token Secrets of the preset come and go with controllers; names are what the runbook owns.
                $namespace = if ($o.metadata.PSObject.Properties['namespace']) { $o.metadata.namespace } else { '' }
                "{0} {1}/{2}" -f $k.kind, $namespace, $o.metadata.name
            }
        }
        $istio = Invoke-RestMethod -Uri "$($Lab.controlUrl)/clusters/$Name/objects?apiVersion=v1&kind=Namespace" |
            ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'istio-system' }
        $labels = if ($istio.metadata.PSObject.Properties['labels']) { $istio.metadata.labels | ConvertTo-Json -Compress } else { '{}' }
        return @($lines | Sort-Object) + "istio-system labels $labels"
    }
}

Describe 'The runbook on <_> lab clusters' -ForEach $sizes -Tag Integration {
    BeforeAll {
        $size = $_
        $script:lab = Start-TestLab -Clusters $size
        Use-TestLabFleet $lab
        $script:before = @{}
        foreach ($c in $lab.clusters) { $before[$c.name] = Get-ClusterSnapshot $lab $c.name }
        $script:kubeconfigs = @($lab.clusters.kubeconfig)
        # As in real fleets: the GKE clusters share one VPC (one network id, pods routable between them, hence
        # -AllowSharedNetwork), while each on-prem data centre is its own network and needs its own id.
        $script:networks = @{}
        foreach ($c in $lab.clusters | Where-Object platform -EQ 'OnPrem') { $networks[$c.context] = "dc-$($c.name)" }
        $script:shared = @{ AllowSharedNetwork = ($size -gt 2) }
    }

    AfterAll { Stop-TestLab $lab }

    It 'runs as one pipeline, from the kubeconfigs to a mesh with every link connected' {
        $mesh = Get-MeshCluster -Kubeconfig $kubeconfigs |
            Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network $networks |
            Install-EastWestGateway |
            Publish-MeshService |
            New-Mesh @shared -Confirm:$false -WarningAction SilentlyContinue
        $mesh | Should -BeOfType ([HybridMesh.Models.Mesh])
        $mesh.MeshId | Should -Be "proj-$($lab.fleet.projectNumber)"
        $mesh.Cluster | Should -HaveCount $size
        $mesh.Links | Should -HaveCount ($size * ($size - 1))
        $mesh.Links.Status | Sort-Object -Unique | Should -Be 'Connected'
    }

    It 'changes nothing when run again' {
        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network $networks
        $gateways = $environment | Install-EastWestGateway
        $gateways.Objects.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
        $exposures = $gateways | Publish-MeshService
        $exposures.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
        $mesh = $exposures | New-Mesh @shared -Confirm:$false -WarningAction SilentlyContinue
        $mesh.Links.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
    }

    It 'names a broken link, and New-Mesh heals it' {
        $target = $lab.clusters[1]
        $source = $lab.clusters[0]
        $secret = "istio-remote-secret-$($source.clusterId)"
        Invoke-RestMethod -Method Delete -Uri "$($lab.controlUrl)/clusters/$($target.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system&name=$secret" | Out-Null

        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network $networks
        $checks = $environment | Test-MeshConnectivity @shared -WarningAction SilentlyContinue
        $failed = @($checks | Where-Object Status -EQ 'Failed')
        $failed.Check | Should -Contain 'RemoteSecret'
        $broken = $failed | Where-Object Check -EQ 'RemoteSecret'
        $broken.Cluster | Should -Be $target.context
        $broken.Peer | Should -Be $source.context
        $broken.RecommendedAction | Should -Match 'New-Mesh'
        $environment | Test-MeshConnectivity @shared -Quiet -WarningAction SilentlyContinue | Should -BeFalse

        $healed = $environment | New-Mesh @shared -Confirm:$false -WarningAction SilentlyContinue
        ($healed.Links | Where-Object { $_.SecretName -eq $secret -and $_.TargetContext -eq $target.context }).Outcome | Should -Be 'Created'
        $environment | Test-MeshConnectivity @shared -Quiet -WarningAction SilentlyContinue | Should -BeTrue
    }

    It 'names a revoked reader token, and New-Mesh issues a new one and rewrites every remote secret holding it' {
        $source = $lab.clusters[0]
        $secret = Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($source.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system" |
            ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'istio-reader-service-account-istio-remote-secret-token' }
        $token = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($secret.data.token))
        $fault = @{ kind = 'revoke'; token = $token } | ConvertTo-Json
        Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($source.name)/faults" -Body $fault -ContentType 'application/json' | Out-Null

        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network $networks
        $rejected = @($environment | Test-MeshConnectivity @shared -WarningAction SilentlyContinue |
                Where-Object { $_.Check -eq 'RemoteSecretCredentials' -and $_.Status -eq 'Failed' })
        $rejected | Should -HaveCount ($size - 1)
        $rejected.Peer | Sort-Object -Unique | Should -Be $source.context

        $healed = $environment | New-Mesh @shared -Confirm:$false -WarningAction SilentlyContinue -ErrorVariable failures
        $failures | Should -HaveCount 0
        $healed.Links.Status | Sort-Object -Unique | Should -Be 'Connected'
        @($healed.Links | Where-Object Source -EQ $source.clusterId).Outcome | Sort-Object -Unique | Should -Be 'Configured'
        $environment | Test-MeshConnectivity @shared -Quiet -WarningAction SilentlyContinue | Should -BeTrue
    }

    It 'tears down to exactly what the clusters had before' {
        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -WarningAction SilentlyContinue
        $environment | Remove-Mesh -IncludeReaderToken -Confirm:$false
        $environment | Unpublish-MeshService -Confirm:$false
        $environment | Uninstall-EastWestGateway -Confirm:$false
        foreach ($c in $lab.clusters) {
            $after = Get-ClusterSnapshot $lab $c.name
            Compare-Object $before[$c.name] $after | Out-String | Should -BeNullOrEmpty -Because "cluster $($c.name) must be back as it was"
        }
    }
}

# An east-west gateway installed the upstream way (gen-eastwest-gateway.sh | istioctl install) is someone else's:
# Install-EastWestGateway refuses before its first write, -Force takes it over and says so, and the teardown removes
# only what HybridMesh created (docs/design/gateway-ownership.md).
Describe 'The runbook over a gateway istioctl installed' -Tag Integration {
    BeforeAll {
        $script:olab = Start-TestLab -Clusters 2
        Use-TestLabFleet $olab
        $script:okubeconfigs = @($olab.clusters.kubeconfig)
        $script:foreign = $olab.clusters[0]
        $script:oenv = Get-MeshCluster -Kubeconfig $okubeconfigs | Get-MeshEnvironment -FleetProjectId $olab.fleet.projectId
        $network = ($oenv.Clusters | Where-Object { $_.Cluster.Context -eq $foreign.context }).Network
        $body = @{ name = 'istioctl-eastwestgateway'; network = $network } | ConvertTo-Json
        Invoke-RestMethod -Method Post -Uri "$($olab.controlUrl)/clusters/$($foreign.name)/presets" -Body $body -ContentType 'application/json' | Out-Null

        # "Kind name resourceVersion" of every object the runbook touches in istio-system, and the namespace itself.
        function Get-IstioSystemVersions([string] $Name) {
            $lines = foreach ($k in $Kinds) {
                $objects = Invoke-RestMethod -Uri "$($olab.controlUrl)/clusters/$Name/objects?apiVersion=$($k.apiVersion)&kind=$($k.kind)&namespace=istio-system"
                foreach ($o in @($objects)) { if ($o) { '{0} {1} {2}' -f $k.kind, $o.metadata.name, $o.metadata.resourceVersion } }
            }
            $istio = Invoke-RestMethod -Uri "$($olab.controlUrl)/clusters/$Name/objects?apiVersion=v1&kind=Namespace" |
                ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'istio-system' }
            @($lines | Sort-Object) + "Namespace istio-system $($istio.metadata.resourceVersion)"
        }
        # The lab's controllers may still be rolling a new gateway out (status updates): the versions once nothing moves.
        function Wait-IstioSystemSettled([string] $Name) {
            $before = Get-IstioSystemVersions $Name
            for ($i = 0; $i -lt 50; $i++) {
                Start-Sleep -Milliseconds 200
                $now = Get-IstioSystemVersions $Name
                if (-not (Compare-Object $before $now)) { return $now }
                $before = $now
            }
            return $before
        }
        function Get-LabObject([string] $Name, [string] $ApiVersion, [string] $Kind, [string] $ObjectName) {
            Invoke-RestMethod -Uri "$($olab.controlUrl)/clusters/$Name/objects?apiVersion=$ApiVersion&kind=$Kind&namespace=istio-system" |
                ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq $ObjectName }
        }
    }

    AfterAll { Stop-TestLab $olab }

    It 'refuses on that cluster before any write (same resourceVersions), and installs on the other' {
        $before = Wait-IstioSystemSettled $foreign.name
        $gateways = @($oenv | Install-EastWestGateway -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        $gateways.Cluster.Context | Should -Be $olab.clusters[1].context
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ObjectOwnedByOther,HybridMesh.Commands.InstallEastWestGatewayCommand'
        $failures[0].Exception.Message | Should -Match 'ServiceAccount istio-system/istio-eastwestgateway-service-account \(istio-operator\)'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        Compare-Object $before (Get-IstioSystemVersions $foreign.name) | Out-String | Should -BeNullOrEmpty
    }

    It 'takes the objects over with -Force, says which, and converges without -Force' {
        $target = $oenv.Clusters | Where-Object { $_.Cluster.Context -eq $foreign.context }
        $gateway = $target | Install-EastWestGateway -Force -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        $taken = @($gateway.Objects | Where-Object TakenOverFrom -EQ 'istio-operator')
        $taken.Kind | Sort-Object | Should -Be @('Deployment', 'HorizontalPodAutoscaler', 'Role', 'RoleBinding', 'Service', 'ServiceAccount')
        @($warned | Where-Object { "$_" -match 'taking over from istio-operator' }).Count | Should -Be 6
        $sa = Get-LabObject $foreign.name 'v1' 'ServiceAccount' 'istio-eastwestgateway-service-account'
        $sa.metadata.labels.PSObject.Properties['app.kubernetes.io/managed-by'] | Should -BeNullOrEmpty
        $sa.metadata.annotations.'hybridmesh.io/taken-over-from' | Should -Be 'istio-operator'

        $again = $target | Install-EastWestGateway -Confirm:$false -WarningVariable warnedAgain -WarningAction SilentlyContinue
        $again.Objects.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
        @($warnedAgain | Where-Object { "$_" -match 'taking over' }).Count | Should -Be 0
    }

    It 'uninstalls only what HybridMesh created: the objects istioctl made stay' {
        $removed = @($oenv | Uninstall-EastWestGateway -Confirm:$false -PassThru -WarningAction SilentlyContinue)
        @($removed | Where-Object { $_.Context -eq $foreign.context -and $_.Outcome -eq 'Deleted' }).Count | Should -Be 0
        @($removed | Where-Object { $_.Context -eq $olab.clusters[1].context -and $_.Outcome -eq 'Deleted' }).Count | Should -Be 6
        Get-LabObject $foreign.name 'v1' 'ServiceAccount' 'istio-eastwestgateway-service-account' | Should -Not -BeNullOrEmpty
        Get-LabObject $foreign.name 'apps/v1' 'Deployment' 'istio-eastwestgateway' | Should -Not -BeNullOrEmpty
        Get-LabObject $olab.clusters[1].name 'apps/v1' 'Deployment' 'istio-eastwestgateway' | Should -BeNullOrEmpty
    }

    It 'refuses a cross-network Gateway applied with kubectl, takes it over with -Force, and Unpublish leaves it' {
        $gateway = @{
            apiVersion = 'networking.istio.io/v1'; kind = 'Gateway'
            metadata   = @{ name = 'cross-network-gateway'; namespace = 'istio-system' }
            spec       = @{ selector = @{ istio = 'eastwestgateway' }; servers = @(@{ port = @{ number = 15443; name = 'tls'; protocol = 'TLS' }; tls = @{ mode = 'AUTO_PASSTHROUGH' }; hosts = @('*.local') }) }
        }
        Invoke-RestMethod -Method Post -Uri "$($olab.controlUrl)/clusters/$($foreign.name)/objects" -Body ($gateway | ConvertTo-Json -Depth 20) -ContentType 'application/json' | Out-Null
        $target = $oenv.Clusters | Where-Object { $_.Cluster.Context -eq $foreign.context }
        $before = Get-LabObject $foreign.name 'networking.istio.io/v1' 'Gateway' 'cross-network-gateway'

        $target | Publish-MeshService -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ObjectOwnedByOther,HybridMesh.Commands.PublishMeshServiceCommand'
        (Get-LabObject $foreign.name 'networking.istio.io/v1' 'Gateway' 'cross-network-gateway').metadata.resourceVersion |
            Should -Be $before.metadata.resourceVersion

        $exposure = $target | Publish-MeshService -Force -Confirm:$false -WarningAction SilentlyContinue
        $exposure.Gateway.TakenOverFrom | Should -Be 'lab-control'
        $removed = $target | Unpublish-MeshService -Confirm:$false -PassThru -WarningAction SilentlyContinue
        $removed.Outcome | Should -Be 'Unchanged'
        Get-LabObject $foreign.name 'networking.istio.io/v1' 'Gateway' 'cross-network-gateway' | Should -Not -BeNullOrEmpty
    }

    It 'refuses a selector change before labelling istio-system (GatewaySelectorChange, cluster unchanged)' {
        $cluster = $olab.clusters[1]
        Install-EastWestGateway -Kubeconfig $cluster.kubeconfig -Context $cluster.context -Network net-a -Confirm:$false -NoWait | Out-Null
        # Someone removes the network label; the gateway Deployment still selects net-a.
        $istio = Invoke-RestMethod -Uri "$($olab.controlUrl)/clusters/$($cluster.name)/objects?apiVersion=v1&kind=Namespace" |
            ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq 'istio-system' }
        $istio.metadata.labels.PSObject.Properties.Remove('topology.istio.io/network')
        Invoke-RestMethod -Method Post -Uri "$($olab.controlUrl)/clusters/$($cluster.name)/objects" -Body ($istio | ConvertTo-Json -Depth 20) -ContentType 'application/json' | Out-Null
        $before = Wait-IstioSystemSettled $cluster.name

        Install-EastWestGateway -Kubeconfig $cluster.kubeconfig -Context $cluster.context -Network net-b -Confirm:$false `
            -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.GatewaySelectorChange,HybridMesh.Commands.InstallEastWestGatewayCommand'
        Compare-Object $before (Get-IstioSystemVersions $cluster.name) | Out-String | Should -BeNullOrEmpty
    }
}
