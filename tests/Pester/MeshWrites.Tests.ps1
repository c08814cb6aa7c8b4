# New-Mesh and the cluster cmdlets refuse a request that cannot succeed before their first write (names checked
# against the clusters, fewer than two clusters), -Context selects among the clusters of an environment, -WhatIf
# lists every remote secret, and a revoked reader token is healed by running New-Mesh again.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 2
    Use-TestLabFleet $script:Lab
    $script:Kubeconfigs = @($script:Lab.clusters.kubeconfig)
    $script:Gke = $script:Lab.clusters | Where-Object platform -EQ 'Gke'
    $script:OnPrem = $script:Lab.clusters | Where-Object platform -EQ 'OnPrem'

    function Get-Control([string] $Path) {
        $answer = Invoke-WebRequest -Uri "$($script:Lab.controlUrl.TrimEnd('/'))/$Path"
        @(ConvertFrom-Json -InputObject $answer.Content -AsHashtable -NoEnumerate | ForEach-Object { $_ })
    }

    # Every Secret of istio-system in every cluster as "cluster name=resourceVersion": a refusal must leave it equal.
    function Get-SecretVersions {
        foreach ($cluster in $script:Lab.clusters) {
            Get-Control "clusters/$($cluster.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system" |
                ForEach-Object { '{0} {1}={2}' -f $cluster.name, $_.metadata.name, $_.metadata.resourceVersion }
        }
    }

    function Get-ReaderToken($Cluster) {
        $secret = Get-Control "clusters/$($Cluster.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system" |
            Where-Object { $_['type'] -eq 'kubernetes.io/service-account-token' -and $_['data'] } | Select-Object -First 1
        [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($secret['data']['token']))
    }

    function New-Environment {
        Get-MeshCluster -Kubeconfig $script:Kubeconfigs | Get-MeshEnvironment -FleetProjectId $script:Lab.fleet.projectId -WarningAction SilentlyContinue
    }
}

AfterAll {
    Stop-TestLab $script:Lab
}

Describe 'New-Mesh checks its input before the first write' -Tag Lab {
    BeforeAll { $script:Before = @(Get-SecretVersions) }

    It 'lists every remote secret under -WhatIf, also before the reader tokens exist' {
        $script = @"
Import-Module '$ModuleManifest' -ErrorAction Stop
Get-MeshCluster -Kubeconfig '$($Kubeconfigs -join "','")' | New-Mesh -FleetProjectId '$($Lab.fleet.projectId)' -WhatIf -WarningAction SilentlyContinue | Out-Null
"@
        $text = (Invoke-ChildPwsh -Script $script) -join "`n"
        foreach ($pair in @(@($Gke, $OnPrem), @($OnPrem, $Gke))) {
            $text | Should -Match ([regex]::Escape("istio-remote-secret-$($pair[0].clusterId) in context '$($pair[1].context)'"))
        }
        @(Get-SecretVersions) | Should -Be $Before
    }

    It 'refuses a malformed -ServerOverride URL with ServerUrlInvalid and writes nothing' {
        { New-Environment | New-Mesh -ServerOverride @{ $OnPrem.clusterId = 'https//10.0.0.2:6443' } -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HybridMesh.ServerUrlInvalid,HybridMesh.Commands.NewMeshCommand'
        @(Get-SecretVersions) | Should -Be $Before
    }

    It 'refuses an unknown -ServerOverride key with ClusterNameUnknown naming the valid keys' {
        $caught = $null
        try { New-Environment | New-Mesh -ServerOverride @{ 'onprem1' = 'https://10.0.0.2:6443' } -Confirm:$false -ErrorAction Stop }
        catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ClusterNameUnknown,HybridMesh.Commands.NewMeshCommand'
        $caught.Exception.Message | Should -Match ([regex]::Escape($OnPrem.clusterId))
        $caught.Exception.Message | Should -Match ([regex]::Escape($Gke.context))
        @(Get-SecretVersions) | Should -Be $Before
    }

    It 'stops with MeshTooFewClusters when one of two contexts is unknown, and writes nothing' {
        $caught = $null
        try { New-Mesh -Kubeconfig $Kubeconfigs -Context 'no-such-context', $Gke.context -FleetProjectId $Lab.fleet.projectId -Confirm:$false -ErrorVariable reported -ErrorAction Continue 2>$null }
        catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.MeshTooFewClusters,HybridMesh.Commands.NewMeshCommand'
        $reported[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ContextNotFound,HybridMesh.Commands.NewMeshCommand'
        @(Get-SecretVersions) | Should -Be $Before
    }

    It '-Context with a piped environment acts on the named cluster only' {
        { New-Environment | New-Mesh -Context $Gke.context -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HybridMesh.MeshTooFewClusters,HybridMesh.Commands.NewMeshCommand'
        $checks = New-Environment | Test-MeshConnectivity -Context 'cluster1' -WarningAction SilentlyContinue
        @($checks.Cluster | Sort-Object -Unique) | Should -Be @($Gke.context)
        @(Get-SecretVersions) | Should -Be $Before
    }

    It '-Context naming no cluster of the environment is ClusterNameUnknown' {
        { New-Environment | Remove-Mesh -Context 'cluster9' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HybridMesh.ClusterNameUnknown,HybridMesh.Commands.RemoveMeshCommand'
    }
}

Describe 'New-Mesh with reader tokens and link proofs' -Tag Lab {
    BeforeAll {
        $script:Mesh = New-Environment | New-Mesh -Confirm:$false -WarningAction SilentlyContinue
    }

    It 'wires both links' {
        $Mesh.Links.Status | Should -Be @('Connected', 'Connected')
    }

    It 'Remove-Mesh -Leaving with an unknown name deletes nothing' {
        $before = @(Get-SecretVersions)
        { New-Environment | Remove-Mesh -Leaving 'cluster9' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HybridMesh.ClusterNameUnknown,HybridMesh.Commands.RemoveMeshCommand'
        @(Get-SecretVersions) | Should -Be $before
    }

    It 'heals a revoked reader token when run again: new token, the remote secret holding it rewritten' {
        $token = Get-ReaderToken $Gke
        $fault = @{ kind = 'revoke'; token = $token } | ConvertTo-Json
        Invoke-RestMethod -Method Post -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($Gke.name)/faults" -Body $fault -ContentType 'application/json' | Out-Null
        $credentials = { (New-Environment | Test-MeshConnectivity -WarningAction SilentlyContinue | Where-Object { $_.Check -eq 'RemoteSecretCredentials' -and $_.Peer -eq $Gke.context }).Status }
        & $credentials | Should -Be 'Failed'

        $healed = New-Environment | New-Mesh -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failures
        $failures | Should -HaveCount 0
        $healed.Links.Status | Should -Be @('Connected', 'Connected')
        ($healed.Links | Where-Object Source -EQ $Gke.clusterId).Outcome | Should -Be 'Configured'
        "$warnings" | Should -Match 'rejects the reader token'
        & $credentials | Should -Be 'Passed'
        (New-Environment | New-Mesh -Confirm:$false -WarningAction SilentlyContinue).Links.Outcome | Should -Be @('Unchanged', 'Unchanged')
    }
}

Describe 'Links that do not end Connected' -Tag Lab {
    It 'reports a reader that may not list services as MeshLinkForbidden, one error per link' {
        $roles = Get-Control "clusters/$($OnPrem.name)/objects?apiVersion=rbac.authorization.k8s.io/v1&kind=ClusterRole" |
            Where-Object { $_.metadata.name -like 'istio-reader-clusterrole*' }
        $role = $roles | Select-Object -First 1
        $saved = $role | ConvertTo-Json -Depth 20
        $role.rules = @()
        Invoke-RestMethod -Method Post -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($OnPrem.name)/objects" -Body ($role | ConvertTo-Json -Depth 20) -ContentType 'application/json' | Out-Null
        try {
            $mesh = New-Environment | New-Mesh -Confirm:$false -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue
            ($mesh.Links | Where-Object Source -EQ $OnPrem.clusterId).Status | Should -Be 'Forbidden'
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.MeshLinkForbidden,HybridMesh.Commands.NewMeshCommand'
            $failures[0].TargetObject | Should -Be "$($OnPrem.clusterId) -> $($Gke.clusterId)"
            { New-Environment | New-Mesh -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop } |
                Should -Throw -ErrorId 'HybridMesh.MeshLinkForbidden,HybridMesh.Commands.NewMeshCommand'
        }
        finally {
            Invoke-RestMethod -Method Post -Uri "$($Lab.controlUrl.TrimEnd('/'))/clusters/$($OnPrem.name)/objects" -Body $saved -ContentType 'application/json' | Out-Null
        }
    }

    It '-Context given with piped clusters selects among them' {
        $checks = Get-MeshCluster -Kubeconfig $Kubeconfigs | Test-MeshConnectivity -Context $OnPrem.context -WarningAction SilentlyContinue
        @($checks.Cluster | Sort-Object -Unique) | Should -Be @($OnPrem.context)
    }
}
