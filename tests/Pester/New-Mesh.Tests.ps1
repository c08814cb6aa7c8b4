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

    It 'converges: a re-run reports every link Unchanged' {
        $mesh = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WarningAction SilentlyContinue
        $mesh.Links.Outcome | Should -Be @('Unchanged', 'Unchanged')
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
        $mesh = $clusters | New-Mesh -SkipFleetCheck -AllowSharedNetwork -Wait -WaitTimeoutSec 20 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
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
