# Get-MeshLink and Update-MeshLinkCredential through the packaged module against the out-of-process lab (three
# clusters): inventory, -WhatIf, a rotation that fails on one target and is finished by a re-run, thresholds, error
# ids, New-Mesh convergence afterwards, and Test-MeshConnectivity's token-age warning.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 3
    Use-TestLabFleet $script:Lab
    $script:Kubeconfigs = @($script:Lab.clusters.kubeconfig)
    $script:Source = $script:Lab.clusters[0]
    $script:Control = $script:Lab.controlUrl.TrimEnd('/')

    function Get-Control([string] $Path) {
        $answer = Invoke-WebRequest -Uri "$script:Control/$Path"
        @(ConvertFrom-Json -InputObject $answer.Content -AsHashtable -NoEnumerate | ForEach-Object { $_ })
    }

    function Get-ReaderTokens {
        foreach ($cluster in $script:Lab.clusters) {
            Get-Control "clusters/$($cluster.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system" |
                Where-Object { $_['type'] -eq 'kubernetes.io/service-account-token' -and $_['data'] } |
                ForEach-Object { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_['data']['token'])) }
        }
    }

    Get-MeshCluster -Kubeconfig $script:Kubeconfigs |
        New-Mesh -FleetProjectId $script:Lab.fleet.projectId -WarningAction SilentlyContinue | Out-Null
}

AfterAll {
    Stop-TestLab $script:Lab
}

Describe 'Get-MeshLink' -Tag Lab {
    It 'returns one typed, Linked object per ordered pair, with a table view, and no token in any stream' {
        $streams = Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink -Verbose *>&1 | ForEach-Object { $_ }
        $links = @($streams | Where-Object { $_ -is [HybridMesh.Models.MeshLinkInfo] })
        $links | Should -HaveCount 6
        $links.State | Sort-Object -Unique | Should -Be 'Linked'
        $links.TokenKind | Sort-Object -Unique | Should -Be 'LegacySecret'
        ($links | Format-Table | Out-String -Width 250) | Should -Match 'Linked'
        $text = ($streams | Out-String) + ($links | Format-List * -Force | Out-String)
        foreach ($token in Get-ReaderTokens) { $text | Should -Not -Match ([regex]::Escape($token)) }
    }

    It 'binds clusters by property name (Kubeconfig, Context)' {
        $rows = $Lab.clusters | ForEach-Object { [pscustomobject]@{ Kubeconfig = $_.kubeconfig; Context = $_.context } }
        @($rows | Get-MeshLink) | Should -HaveCount 6
    }
}

Describe 'Update-MeshLinkCredential' -Tag Lab {
    It 'sends only reads under -WhatIf and reports Planned' {
        foreach ($cluster in $Lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$Control/clusters/$($cluster.name)/requests" | Out-Null }
        $plan = Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -Source $Source.context -WhatIf
        $plan.Status | Should -Be 'Planned'
        foreach ($cluster in $Lab.clusters) {
            @(Get-Control "clusters/$($cluster.name)/requests" | ForEach-Object { $_['method'] } | Sort-Object -Unique) | Should -Be @('GET')
        }
    }

    It 'plans under $WhatIfPreference = $true exactly as under -WhatIf: the same steps, reads only, nothing written' {
        function Get-Versions { foreach ($cluster in $Lab.clusters) { Get-Control "clusters/$($cluster.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system" | ForEach-Object { "$($cluster.name)/$($_.metadata.name)@$($_.metadata.resourceVersion)" } } }
        $before = @(Get-Versions)
        $switch = Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -Source $Source.context -WhatIf
        foreach ($cluster in $Lab.clusters) { Invoke-RestMethod -Method Delete -Uri "$Control/clusters/$($cluster.name)/requests" | Out-Null }
        $preference = & {
            $WhatIfPreference = $true
            Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -Source $Source.context
        }
        foreach ($cluster in $Lab.clusters) {
            @(Get-Control "clusters/$($cluster.name)/requests" | ForEach-Object { $_['method'] } | Sort-Object -Unique) | Should -Be @('GET')
        }
        $preference.Status | Should -Be 'Planned'
        $preference.Status | Should -Be $switch.Status
        $preference.OldTokenSecrets | Should -Be $switch.OldTokenSecrets
        @($preference.Targets.Result) | Should -Be @($switch.Targets.Result)
        @(Get-Versions) | Should -Be $before
    }

    It 'skips tokens younger than -OlderThanDays' {
        $result = Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -OlderThanDays 30 -Confirm:$false
        $result | Should -HaveCount 3
        $result.Status | Sort-Object -Unique | Should -Be 'Skipped'
    }

    It 'reports a failed target with a stable id, keeps the old token, and finishes on a re-run' {
        $bad = $Lab.clusters[2]
        $fault = @{ kind = 'status'; status = 500; method = 'PATCH'; path = "/secrets/istio-remote-secret-$($Source.clusterId)" } | ConvertTo-Json
        Invoke-RestMethod -Method Post -Uri "$Control/clusters/$($bad.name)/faults" -Body $fault -ContentType 'application/json' | Out-Null

        $first = Get-MeshCluster -Kubeconfig $Kubeconfigs |
            Update-MeshLinkCredential -Source $Source.context -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $first.Status | Should -Be 'Partial'
        $first.OldTokenDeleted | Should -BeFalse
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.LinkRotationTargetFailed,HybridMesh.Commands.UpdateMeshLinkCredentialCommand'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'again'
        # Both tokens valid in the meantime: every link still Linked.
        (Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink).State | Sort-Object -Unique | Should -Be 'Linked'

        Invoke-RestMethod -Method Delete -Uri "$Control/clusters/$($bad.name)/faults" | Out-Null
        $second = Get-MeshCluster -Kubeconfig $Kubeconfigs | Update-MeshLinkCredential -Source $Source.context -Confirm:$false
        $second.Status | Should -Be 'Rotated'
        $second.NewTokenSecret | Should -Be $first.NewTokenSecret
        $second.OldTokenDeleted | Should -BeTrue
        ($second | Format-Table | Out-String -Width 250) | Should -Match 'Rotated'

        $links = Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshLink
        $links.State | Sort-Object -Unique | Should -Be 'Linked'
        @($links | Where-Object SourceContext -eq $Source.context).TokenSecret | Sort-Object -Unique | Should -Be $second.NewTokenSecret
    }

    It 'leaves a state New-Mesh recognises: a re-run is Unchanged' {
        $mesh = Get-MeshCluster -Kubeconfig $Kubeconfigs | New-Mesh -FleetProjectId $Lab.fleet.projectId -WarningAction SilentlyContinue
        $mesh.Links.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
        $mesh.Links.Status | Sort-Object -Unique | Should -Be 'Connected'
    }

    It 'rejects an unknown -Source with a stable id' {
        Get-MeshCluster -Kubeconfig $Kubeconfigs |
            Update-MeshLinkCredential -Source 'no-such-cluster' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.LinkSourceNotFound,HybridMesh.Commands.UpdateMeshLinkCredentialCommand'
    }
}

Describe 'Test-MeshConnectivity -ReaderTokenMaxAgeDays' -Tag Lab {
    It 'warns about every reader token older than the limit, naming the rotation' {
        $checks = Get-MeshCluster -Kubeconfig $Kubeconfigs | Test-MeshConnectivity -SkipFleetCheck -ReaderTokenMaxAgeDays 0
        $old = @($checks | Where-Object Check -eq 'ReaderTokenAge')
        $old | Should -HaveCount 3
        $old.Status | Sort-Object -Unique | Should -Be 'Warning'
        $old[0].RecommendedAction | Should -Match 'Update-MeshLinkCredential'
        @(Get-MeshCluster -Kubeconfig $Kubeconfigs | Test-MeshConnectivity -SkipFleetCheck | Where-Object Check -eq 'ReaderTokenAge') |
            Should -HaveCount 0
    }
}
