# New-Mesh and Remove-Mesh through the packaged module against the out-of-process lab: the pipeline from
# Get-MeshCluster, the Mesh output, re-runs, -WhatIf, removal, and that no token shows up in any stream.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 2
    Use-TestLabFleet $script:Lab
    $script:Kubeconfigs = @($script:Lab.clusters.kubeconfig)

    # Hashtables, so that absent labels or data read as $null under strict mode.
    function Get-Control([string] $Path) {
        $answer = Invoke-WebRequest -Uri "$($script:Lab.controlUrl.TrimEnd('/'))/$Path"
        @(ConvertFrom-Json -InputObject $answer.Content -AsHashtable -NoEnumerate | ForEach-Object { $_ })
    }

    function Get-LabSecrets([string] $Cluster) {
        Get-Control "clusters/$Cluster/objects?apiVersion=v1&kind=Secret&namespace=istio-system"
    }

    function Get-RemoteSecrets([string] $Cluster) {
        @(Get-LabSecrets $Cluster | Where-Object { $_.metadata.labels -and $_.metadata.labels['istio/multiCluster'] -eq 'true' })
    }

    function Get-AllTokens {
        # Reader tokens as the token controller issued them, and the admin tokens of the kubeconfigs.
        $tokens = foreach ($cluster in $script:Lab.clusters) {
            Get-LabSecrets $cluster.name | Where-Object { $_['type'] -eq 'kubernetes.io/service-account-token' -and $_['data'] } | ForEach-Object {
                [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_['data']['token']))
            }
            (Get-Content -Raw $cluster.kubeconfig) -split "`n" | Where-Object { $_ -match '^\s*token:\s*(\S+)' } | ForEach-Object { $Matches[1] }
        }
        @($tokens | Where-Object { $_ })
    }
}

AfterAll {
    Stop-TestLab $script:Lab
}

Describe 'New-Mesh' -Tag Lab {
    It 'wires both lab clusters from the environment pipeline and proves the links' {
        $environment = Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshEnvironment -FleetProjectId $Lab.fleet.projectId
        $script:Streams = $environment | New-Mesh -Verbose -Debug -WarningAction Continue -InformationAction Continue *>&1 | ForEach-Object { $_ }
        $mesh = @($Streams | Where-Object { $_ -is [HybridMesh.Models.Mesh] })
        $mesh | Should -HaveCount 1
        $mesh[0].MeshId | Should -Be "proj-$($Lab.fleet.projectNumber)"
        $mesh[0].Links | Should -HaveCount 2
        $mesh[0].Links.Status | Should -Be @('Connected', 'Connected')
        $mesh[0].Links.Outcome | Should -Be @('Created', 'Created')
        foreach ($cluster in $Lab.clusters) {
            $other = $Lab.clusters | Where-Object name -NE $cluster.name
            (Get-RemoteSecrets $cluster.name | ForEach-Object { $_.metadata.name }) | Should -Be "istio-remote-secret-$($other.clusterId)"
        }
        ($mesh[0] | Format-Table | Out-String -Width 250) | Should -Match 'proj-'
        ($mesh[0].Links | Format-Table | Out-String -Width 250) | Should -Match 'Connected'
    }

    It 'keeps -TimeoutSec without -Wait as the request timeout until the next release, and -WaitTimeoutSec as -TimeoutSec, each with a warning' {
        $environment = Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshEnvironment -FleetProjectId $Lab.fleet.projectId
        $null = $environment | New-Mesh -WhatIf -TimeoutSec 5 -WarningVariable old -WarningAction SilentlyContinue
        ($old -join "`n") | Should -Match 'New-Mesh -TimeoutSec is the time one Kubernetes request may take and is now named -RequestTimeoutSec'
        $null = $environment | New-Mesh -WhatIf -WaitTimeoutSec 5 -WarningVariable wait -WarningAction SilentlyContinue
        ($wait -join "`n") | Should -Match 'New-Mesh -WaitTimeoutSec is now named -TimeoutSec\. Use -TimeoutSec 5;'
        $null = $environment | New-Mesh -WhatIf -RequestTimeoutSec 5 -WarningVariable new -WarningAction SilentlyContinue
        ($new -join "`n") | Should -Not -Match 'now named'
    }

    It 'converges: a re-run reports every link Unchanged' {
        $mesh = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WarningAction SilentlyContinue
        $mesh.Links.Outcome | Should -Be @('Unchanged', 'Unchanged')
    }

    It 'shows its debug lines under $DebugPreference as under -Debug, and no debug or verbose line when they are off' {
        # Decided once per call on the pipeline thread (StreamPreference): lines nobody sees are never built or queued.
        $environment = Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshEnvironment -FleetProjectId $Lab.fleet.projectId
        $secretList = '\] GET /api/v1/namespaces/istio-system/secrets'
        $preference = & { $DebugPreference = 'Continue'; $environment | New-Mesh -WarningAction SilentlyContinue 5>&1 }
        @($preference | Where-Object { $_ -is [Management.Automation.DebugRecord] -and $_.Message -match $secretList }).Count | Should -BeGreaterThan 0
        $switch = $environment | New-Mesh -Debug -WarningAction SilentlyContinue 5>&1
        @($switch | Where-Object { $_ -is [Management.Automation.DebugRecord] -and $_.Message -match $secretList }).Count | Should -BeGreaterThan 0
        $off = & { $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'; $environment | New-Mesh -Debug:$false -Verbose:$false -WarningAction SilentlyContinue 4>&1 5>&1 }
        @($off | Where-Object { $_ -is [Management.Automation.DebugRecord] -or $_ -is [Management.Automation.VerboseRecord] }) | Should -HaveCount 0
        @($off | Where-Object { $_ -is [HybridMesh.Models.Mesh] }).Links.Outcome | Should -Be @('Unchanged', 'Unchanged')
        $default = $environment | New-Mesh -WarningAction SilentlyContinue 4>&1 5>&1
        @($default | Where-Object { $_ -is [Management.Automation.DebugRecord] -or $_ -is [Management.Automation.VerboseRecord] }) | Should -HaveCount 0
    }

    It 'sends only reads under -WhatIf' {
        foreach ($cluster in $Lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($cluster.name)/requests" | Out-Null }
        Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WhatIf -WarningAction SilentlyContinue | Out-Null
        foreach ($cluster in $Lab.clusters) {
            $requests = Get-Control "clusters/$($cluster.name)/requests"
            $requests.Count | Should -BeGreaterThan 0
            @($requests | ForEach-Object { $_['method'] } | Sort-Object -Unique) | Should -Be @('GET')
        }
    }

    It 'plans under $WhatIfPreference = $true, or a calling function''s -WhatIf, exactly as under -WhatIf: the same links, reads only, nothing written' {
        # No -WhatIf switch here: what ShouldProcess answers is the truth the Engine plans by (docs/design/what-if.md).
        function Clear-Requests { foreach ($cluster in $Lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($cluster.name)/requests" | Out-Null } }
        function Get-Methods { @(foreach ($cluster in $Lab.clusters) { Get-Control "clusters/$($cluster.name)/requests" | ForEach-Object { $_['method'] } }) | Sort-Object -Unique }
        function Get-Versions { foreach ($cluster in $Lab.clusters) { Get-LabSecrets $cluster.name | ForEach-Object { "$($cluster.name)/$($_.metadata.name)@$($_.metadata.resourceVersion)" } } }
        function Invoke-Plan { [CmdletBinding(SupportsShouldProcess)] param() Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WarningAction SilentlyContinue }
        $before = @(Get-Versions)
        $switch = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WhatIf -WarningAction SilentlyContinue
        $switch.Links.Status | Should -Be @('Planned', 'Planned')

        Clear-Requests
        $preference = & {
            $WhatIfPreference = $true
            Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WarningAction SilentlyContinue
        }
        Get-Methods | Should -Be @('GET')
        Clear-Requests
        $function = Invoke-Plan -WhatIf
        Get-Methods | Should -Be @('GET')

        foreach ($plan in $preference, $function) {
            $plan.Links.Status | Should -Be $switch.Links.Status
            $plan.Links.Outcome | Should -Be $switch.Links.Outcome
            $plan.Links.IstiodSync | Should -Be $switch.Links.IstiodSync
        }
        @(Get-Versions) | Should -Be $before
        # -Wait under $WhatIfPreference: nothing was written, so nothing is waited for.
        $elapsed = Measure-Command { & { $WhatIfPreference = $true; Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -Wait -TimeoutSec 60 -WarningAction SilentlyContinue | Out-Null } }
        $elapsed.TotalSeconds | Should -BeLessThan 30
        @(Get-Versions) | Should -Be $before
    }

    It 'passes -GkeHubEndpoint and -AccessToken to the fleet check, and writes nothing when the endpoint is unusable' {
        $before = @(foreach ($cluster in $Lab.clusters) { Get-LabSecrets $cluster.name | ForEach-Object { "$($_.metadata.name)@$($_.metadata.resourceVersion)" } })
        $token = ConvertTo-SecureString $Lab.fleet.accessToken -AsPlainText -Force
        $err = { Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -AccessToken $token -GkeHubEndpoint 'ftp://127.0.0.1/' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.GoogleEndpointInvalid,HybridMesh.Commands.NewMeshCommand'
        ($err | Out-String) + $err.Exception.Message | Should -Not -Match ([regex]::Escape($Lab.fleet.accessToken))
        @(foreach ($cluster in $Lab.clusters) { Get-LabSecrets $cluster.name | ForEach-Object { "$($_.metadata.name)@$($_.metadata.resourceVersion)" } }) | Should -Be $before
    }

    It 'never writes a token to any stream' {
        $tokens = Get-AllTokens
        $tokens.Count | Should -BeGreaterThan 2
        $text = ($Streams | Out-String) + ($Streams | ForEach-Object { $_ | Format-List * -Force | Out-String })
        foreach ($token in $tokens) { $text | Should -Not -Match ([regex]::Escape($token)) }
    }

    It 'emits remote secrets with -ManifestOnly only when -IncludeCredentials is given' {
        $without = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -ManifestOnly -WarningAction SilentlyContinue
        ($without | Out-String) | Should -Not -Match 'istio-remote-secret-'
        $with = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -ManifestOnly -IncludeCredentials -WarningAction SilentlyContinue
        ($with | Out-String) | Should -Match 'istio/multiCluster'
    }

    It 'fails a missing fleet project with a stable id' {
        { Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -ErrorAction Stop } |
            Should -Throw -ErrorId 'HybridMesh.MeshFleetProjectMissing,HybridMesh.Commands.NewMeshCommand'
    }
}

Describe 'New-Mesh -Revision' -Tag Lab {
    BeforeAll {
        # A second control plane (a canary) in the first cluster that calls the cluster by another name.
        $script:Canary = $Lab.clusters[0]
        $istiod = @{
            apiVersion = 'apps/v1'; kind = 'Deployment'
            metadata = @{ name = 'istiod-canary'; namespace = 'istio-system'; labels = @{ app = 'istiod'; 'istio.io/rev' = 'canary' } }
            spec = @{
                selector = @{ matchLabels = @{ app = 'istiod'; 'istio.io/rev' = 'canary' } }
                template = @{
                    metadata = @{ labels = @{ app = 'istiod'; 'istio.io/rev' = 'canary' } }
                    spec = @{ containers = @(@{ name = 'discovery'; image = 'pilot'; env = @(@{ name = 'CLUSTER_ID'; value = 'cn-canary-name' }) }) }
                }
            }
        }
        $body = $istiod | ConvertTo-Json -Depth 20
        Invoke-RestMethod -Method Post -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($Canary.name)/objects" -Body $body -ContentType 'application/json' | Out-Null
    }

    AfterAll {
        Invoke-RestMethod -Method Delete -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($Canary.name)/objects?apiVersion=apps/v1&kind=Deployment&namespace=istio-system&name=istiod-canary" | Out-Null
    }

    It 'refuses two CLUSTER_IDs in one cluster, naming both' {
        $err = { Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'HybridMesh.MeshClusterIdAmbiguous,HybridMesh.Commands.NewMeshCommand' -PassThru
        $err.Exception.Message | Should -Match 'cn-canary-name'
        $err.Exception.Message | Should -Match ([regex]::Escape($Canary.clusterId))
        $err.ErrorDetails.RecommendedAction | Should -Match '-Revision'
    }

    It 'links with the control plane -Revision names' {
        $revision = (Get-MeshCluster -Kubeconfig $Canary.kubeconfig -Context $Canary.context -Detailed).Details.IstioRevisions | Where-Object { $_ -ne 'canary' }
        $mesh = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -Revision $revision -WarningAction SilentlyContinue
        $mesh.Links.Status | Should -Be @('Connected', 'Connected')
        $mesh.Cluster.Details.IstioClusterName | Should -Contain $Canary.clusterId
    }
}

Describe 'Remote secrets left by asmcli create-mesh' -Tag Lab {
    BeforeAll {
        # asmcli names (and keys) its remote secret after the sanitised kubeconfig context, not the Istio cluster name.
        $script:Holder = $Lab.clusters[1]
        $script:Peer = $Lab.clusters[0]
        $key = $Peer.context.ToLowerInvariant() -replace '[^a-z0-9-]', '-'
        $script:StaleName = "istio-remote-secret-$key"
        $kubeconfig = "apiVersion: v1`nkind: Config`nclusters:`n- name: $key`n  cluster:`n    server: $($Peer.server)`n"
        $script:StaleSecret = @{
            apiVersion = 'v1'; kind = 'Secret'
            metadata = @{
                name = $StaleName; namespace = 'istio-system'
                labels = @{ 'istio/multiCluster' = 'true' }; annotations = @{ 'networking.istio.io/cluster' = $key }
            }
            data = @{ $key = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($kubeconfig)) }
        }
        function script:Add-StaleSecret {
            $body = $StaleSecret | ConvertTo-Json -Depth 10
            Invoke-RestMethod -Method Post -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($Holder.name)/objects" -Body $body -ContentType 'application/json' | Out-Null
        }
        function script:Get-Versions {
            @(Get-LabSecrets $Holder.name | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }) -join ','
        }
        Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WarningAction SilentlyContinue | Out-Null
        Add-StaleSecret
    }

    It 'fails the RemoteSecret check naming both secrets and New-Mesh -RemoveStale' {
        $checks = Get-MeshCluster -Kubeconfig $Kubeconfigs | Test-MeshConnectivity -SkipFleetCheck
        $check = $checks | Where-Object { $_.Check -eq 'RemoteSecret' -and $_.Cluster -eq $Holder.context }
        $check.Status | Should -Be 'Failed'
        $check.Detail | Should -Match ([regex]::Escape($StaleName))
        $check.Detail | Should -Match ([regex]::Escape("istio-remote-secret-$($Peer.clusterId)"))
        $check.RecommendedAction | Should -Match 'New-Mesh -RemoveStale'
        Get-MeshCluster -Kubeconfig $Kubeconfigs | Test-MeshConnectivity -SkipFleetCheck -Quiet | Should -BeFalse
    }

    It 'stops New-Mesh before any write' {
        $before = Get-Versions
        { Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'HybridMesh.MeshStaleRemoteSecret,HybridMesh.Commands.NewMeshCommand'
        Get-Versions | Should -Be $before
    }

    It 'is deleted by New-Mesh -RemoveStale' {
        Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -RemoveStale -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        (Get-RemoteSecrets $Holder.name).metadata.name | Should -Be "istio-remote-secret-$($Peer.clusterId)"
    }

    It 'is removed, whatever its name, by Remove-Mesh -Leaving' {
        Add-StaleSecret
        Get-MeshCluster -Kubeconfig $Kubeconfigs | Remove-Mesh -Leaving $Peer.context -Confirm:$false
        Get-RemoteSecrets $Holder.name | Should -HaveCount 0
    }
}

Describe 'Remove-Mesh' -Tag Lab {
    It 'leaves no istio/multiCluster secret behind' {
        Get-MeshCluster -Kubeconfig $Kubeconfigs | Remove-Mesh -Confirm:$false
        foreach ($cluster in $Lab.clusters) { Get-RemoteSecrets $cluster.name | Should -HaveCount 0 }
    }
}

Describe 'New-Mesh -Wait against istiods that answer (lab with --mesh-traffic)' -Tag Lab {
    BeforeAll {
        $script:MeshLab = Start-TestLab -Clusters 2 -ExtraArguments '--mesh-traffic'
        Use-TestLabFleet $script:MeshLab
    }

    AfterAll { Stop-TestLab $script:MeshLab }

    It 'says every written link is synced by istiod, and only written without -Wait' {
        $clusters = Get-MeshCluster -Kubeconfig @($script:MeshLab.clusters.kubeconfig)
        $written = $clusters | New-Mesh -SkipFleetCheck -AllowSharedNetwork -Confirm:$false -WarningAction SilentlyContinue
        $written.Links.IstiodSync | Should -Be @('NotChecked', 'NotChecked')
        $mesh = $clusters | New-Mesh -SkipFleetCheck -AllowSharedNetwork -Wait -TimeoutSec 20 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $mesh.Links.IstiodSync | Should -Be @('Synced', 'Synced')
        @($warnings | Where-Object { "$_" -match '^\S+ -> \S+: ' }) | Should -BeNullOrEmpty
    }

    It 'restarts istiod only with -RestartIstiod, and -WhatIf writes nothing' {
        $clusters = Get-MeshCluster -Kubeconfig @($script:MeshLab.clusters.kubeconfig)
        $before = Invoke-RestMethod -Uri "$($script:MeshLab.controlUrl)/clusters/$($script:MeshLab.clusters[0].name)/objects?apiVersion=apps/v1&kind=Deployment&namespace=istio-system"
        $clusters | New-Mesh -SkipFleetCheck -AllowSharedNetwork -RestartIstiod -WhatIf | Out-Null
        $after = Invoke-RestMethod -Uri "$($script:MeshLab.controlUrl)/clusters/$($script:MeshLab.clusters[0].name)/objects?apiVersion=apps/v1&kind=Deployment&namespace=istio-system"
        ($after | ConvertTo-Json -Depth 30) | Should -Be ($before | ConvertTo-Json -Depth 30)
    }
}
