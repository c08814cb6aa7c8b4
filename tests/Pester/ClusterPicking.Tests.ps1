# Issue 15, items 1, 2, 5 and 14 (CTX_k): one way to pick clusters in every cluster cmdlet, against the lab.
# -Kubeconfig alone means every context of those files; so does $env:KUBECONFIG alone; a piped string is a context;
# NoClusters is non-terminating per input; Get-MeshCluster | Export-Csv round-trips, and switching between the CSV
# and the environment pipeline leaves the gateway Unchanged (docs/design/cluster-picking.md).

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 2 -ExtraArguments @('--lb-delay-ms', '50')
    $script:Kubeconfigs = @($script:Lab.Kubeconfig)
    $script:Contexts = @($script:Lab.Context)
    $script:Dir = New-TestDirectory
    $script:Empty = Join-Path $script:Dir 'empty.yaml'
    Set-Content -LiteralPath $script:Empty -Value "apiVersion: v1`nkind: Config`nclusters: []`ncontexts: []`nusers: []"
    $script:SavedKubeconfig = $env:KUBECONFIG
}

AfterAll {
    $env:KUBECONFIG = $script:SavedKubeconfig
    Stop-TestLab $script:Lab
    Remove-Item -Recurse -Force -LiteralPath $script:Dir -ErrorAction SilentlyContinue
}

Describe 'Picking clusters' -Tag Lab {
    It 'Install-EastWestGateway -Kubeconfig alone acts on every context of those files' {
        $gateways = @(Install-EastWestGateway -Kubeconfig $Kubeconfigs -Network net-a -WhatIf -ErrorVariable e -ErrorAction SilentlyContinue)
        $e | Should -BeNullOrEmpty
        @($gateways.Context | Sort-Object) | Should -Be @($Contexts | Sort-Object)
    }

    It 'New-Mesh -Kubeconfig a, b -FleetProjectId works like asmcli create-mesh' {
        Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId |
            Install-EastWestGateway -Confirm:$false -TimeoutSec 30 | Publish-MeshService -Confirm:$false | Out-Null
        $mesh = New-Mesh -Kubeconfig $Kubeconfigs[0], $Kubeconfigs[1] -FleetProjectId $Lab.FleetProjectId -Confirm:$false
        $mesh | Should -BeOfType HybridMesh.Models.Mesh
        $mesh.Links.Count | Should -Be 2
        @($mesh.Links.Outcome | Sort-Object -Unique) | Should -Be 'Created'
    }

    It 'uses every context of $env:KUBECONFIG when nothing else names a cluster' {
        $env:KUBECONFIG = $Kubeconfigs -join [IO.Path]::PathSeparator
        try { $links = @(Get-MeshLink -SkipIstiodView) }
        finally { $env:KUBECONFIG = $script:SavedKubeconfig }
        $links.Count | Should -Be 2
        @($links.SourceContext + $links.TargetContext | Sort-Object -Unique) | Should -Be @($Contexts | Sort-Object)
    }

    It 'reports NoClusters as a non-terminating error when nothing names a cluster' {
        $env:KUBECONFIG = ''
        try {
            $after = $false
            Get-MeshLink -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $after = $true
        }
        finally { $env:KUBECONFIG = $script:SavedKubeconfig }
        $after | Should -BeTrue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.NoClusters,HybridMesh.Commands.GetMeshLinkCommand'
        $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'reports NoClusters per input for kubeconfig files without a context and goes on with the others' {
        $rows = [pscustomobject]@{ Kubeconfig = $Empty }, [pscustomobject]@{ Kubeconfig = $Kubeconfigs[0] }
        $gateways = @($rows | Install-EastWestGateway -WhatIf -ErrorVariable e -ErrorAction SilentlyContinue)
        $gateways.Context | Should -Be $Contexts[0]
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.NoClusters,HybridMesh.Commands.InstallEastWestGatewayCommand'
        $e[0].TargetObject | Should -Be $Empty
    }

    It 'binds a plain piped string as a context' {
        $gateways = @($Contexts[1] | Install-EastWestGateway -Kubeconfig $Kubeconfigs -WhatIf -ErrorVariable e -ErrorAction SilentlyContinue)
        $e | Should -BeNullOrEmpty
        $gateways.Count | Should -Be 1
        $gateways[0].Context | Should -BeExactly $Contexts[1]

        $environment = $Contexts | Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId -Kubeconfig $Kubeconfigs
        @($environment.Clusters.Context) | Should -Be $Contexts
    }

    It 'reports a piped blank string as PipelineInputEmpty' {
        '  ' | Get-MeshLink -Kubeconfig $Kubeconfigs -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.PipelineInputEmpty,HybridMesh.Commands.GetMeshLinkCommand'
    }

    It 'round-trips Get-MeshCluster | Export-Csv through Import-Csv | Get-MeshCluster' {
        $csv = Join-Path $Dir 'clusters.csv'
        $clusters = @(Get-MeshCluster -Kubeconfig $Kubeconfigs)
        $clusters | Export-Csv -LiteralPath $csv
        Get-Content -Raw $csv | Should -Not -Match 'System\.String\[\]'
        $again = @(Import-Csv -LiteralPath $csv | Get-MeshCluster)
        $again.Count | Should -Be 2
        for ($i = 0; $i -lt 2; $i++) {
            $again[$i].Context | Should -BeExactly $clusters[$i].Context
            @($again[$i].Kubeconfig) | Should -Be @($clusters[$i].Kubeconfig)
            $again[$i].Server | Should -Be $clusters[$i].Server
        }
    }

    It 'keeps the gateway Unchanged when switching between the CSV and the environment pipeline' {
        # The environment pipeline installed the gateways with the mesh-id label (New-Mesh test above).
        $csv = Join-Path $Dir 'clusters.csv'
        $fromCsv = @(Import-Csv -LiteralPath $csv | Install-EastWestGateway -Confirm:$false -TimeoutSec 30)
        $fromCsv.Count | Should -Be 2
        @($fromCsv.Objects.Outcome | Sort-Object -Unique) | Should -Be 'Unchanged'
        $fromCsv.MeshId | Should -Be @("proj-$($Lab.ProjectNumber)", "proj-$($Lab.ProjectNumber)")

        $fromEnvironment = @(Get-MeshCluster -Kubeconfig $Kubeconfigs | Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId |
                Install-EastWestGateway -Confirm:$false -TimeoutSec 30)
        @($fromEnvironment.Objects.Outcome | Sort-Object -Unique) | Should -Be 'Unchanged'
    }

    It 'Get-MeshEnvironment -Export sets CTX_1..N beside NETWORK_1..N and removes stale ones' {
        $saved = @{}
        foreach ($name in 'PROJECT_NUMBER', 'MESH_ID', 'NETWORK_1', 'NETWORK_2', 'NETWORK_3', 'CTX_1', 'CTX_2', 'CTX_3') {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        try {
            $env:CTX_3 = 'left-over'
            $environment = Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId -Kubeconfig $Kubeconfigs -Export
            $env:CTX_1 | Should -BeExactly $environment.Clusters[0].Context
            $env:CTX_2 | Should -BeExactly $environment.Clusters[1].Context
            $env:NETWORK_2 | Should -BeExactly $environment.Clusters[1].Network
            $env:CTX_3 | Should -BeNullOrEmpty
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

Describe 'One name for a cluster in every view' -Tag Lab {
    BeforeAll {
        $script:Gke = Get-MeshCluster -Kubeconfig $Kubeconfigs | Where-Object Platform -EQ 'Gke'

        # The cells of the named columns of a Format-Table text: a column runs from the start of its dashes to the
        # start of the next column's dashes (the dashes are only as wide as the header).
        function Get-TableColumn([string] $Text, [string[]] $Label) {
            $lines = @($Text -split "`r?`n" | Where-Object { $_.Trim() })
            $dashIndex = [array]::FindIndex([string[]] $lines, [Predicate[string]] { param($l) $l -match '^[- ]+$' -and $l -match '-' })
            $header = $lines[$dashIndex - 1]
            $starts = @([regex]::Matches($lines[$dashIndex], '-+') | ForEach-Object Index)
            for ($c = 0; $c -lt $starts.Count; $c++) {
                $start = $starts[$c]
                $end = if ($c + 1 -lt $starts.Count) { $starts[$c + 1] } else { [int]::MaxValue }
                $name = $header.Substring($start, [Math]::Min($end, $header.Length) - $start).Trim()
                if ($name -notin $Label) { continue }
                foreach ($row in $lines[($dashIndex + 1)..($lines.Count - 1)]) {
                    if ($row.Length -le $start) { continue }
                    $cell = $row.Substring($start, [Math]::Min($end, $row.Length) - $start).Trim()
                    if ($cell) { $cell }
                }
            }
        }
    }

    It 'accepts the short name the views show for -Context' {
        $Gke.Name | Should -Not -Be $Gke.Context
        (Get-MeshCluster -Kubeconfig $Kubeconfigs -Context $Gke.Name).Context | Should -BeExactly $Gke.Context
        (Install-EastWestGateway -Kubeconfig $Kubeconfigs -Context $Gke.Name -WhatIf).Context | Should -BeExactly $Gke.Context
    }

    It 'shows the short name, not the context or the Istio cluster name, in the cluster columns of <Type>' -ForEach @(
        @{ Type = 'MeshCluster'; Columns = @('Cluster') }
        @{ Type = 'ClusterNetwork'; Columns = @('Cluster') }
        @{ Type = 'MeshLink'; Columns = @('Source', 'Target') }
        @{ Type = 'MeshLinkInfo'; Columns = @('Source', 'Target') }
        @{ Type = 'MeshCheck'; Columns = @('Cluster', 'Peer') }
        @{ Type = 'AppliedObject'; Columns = @('Cluster') }
    ) {
        $objects = switch ($Type) {
            'MeshCluster' { Get-MeshCluster -Kubeconfig $Kubeconfigs }
            'ClusterNetwork' { (Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId -Kubeconfig $Kubeconfigs).Clusters }
            'MeshLink' { (New-Mesh -Kubeconfig $Kubeconfigs -FleetProjectId $Lab.FleetProjectId -Confirm:$false -WarningAction SilentlyContinue).Links }
            'MeshLinkInfo' { Get-MeshLink -Kubeconfig $Kubeconfigs -SkipIstiodView }
            'MeshCheck' { Test-MeshConnectivity -Kubeconfig $Kubeconfigs -SkipFleetCheck -SkipIstiodView | Where-Object Cluster -EQ $Gke.Context }
            'AppliedObject' { (Install-EastWestGateway -Kubeconfig $Kubeconfigs -Context $Gke.Context -Confirm:$false -TimeoutSec 30).Objects }
        }
        @($objects).Count | Should -BeGreaterThan 0
        $values = @(Get-TableColumn ($objects | Format-Table | Out-String -Width 250) $Columns)
        $values | Should -Contain $Gke.Name
        $values | Should -Not -Contain $Gke.Context
        @($values -like 'cn-*') | Should -BeNullOrEmpty
    }
}

Describe 'Short names on the command line' -Tag Lab {
    It '-Context filters a piped environment by its short name' {
        $environment = Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId -Kubeconfig $Kubeconfigs
        $gke = $environment.Clusters | Where-Object Platform -EQ 'Gke'
        $gateways = @($environment | Install-EastWestGateway -Context $gke.Name -WhatIf)
        $gateways.Count | Should -Be 1
        $gateways[0].Context | Should -BeExactly $gke.Context
    }

    It 'reports a short name shared by two GKE contexts as ClusterNameAmbiguous, listing both' {
        $file = Join-Path $Dir 'two-prod.yaml'
        $gkeText = Get-Content -Raw $GkeKubeconfig
        $a = $gkeText.Replace('gke_demo-gke-project_us-central1_hybrid-gke', 'gke_project-one_us-central1_prod')
        $b = $gkeText.Replace('gke_demo-gke-project_us-central1_hybrid-gke', 'gke_project-two_europe-west1_prod')
        Set-Content -LiteralPath $file -Value $a
        $second = Join-Path $Dir 'two-prod-b.yaml'
        Set-Content -LiteralPath $second -Value $b
        Get-MeshCluster -Kubeconfig $file, $second -Context prod -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ClusterNameAmbiguous,HybridMesh.Commands.GetMeshClusterCommand'
        $e[0].Exception.Message | Should -Match 'gke_project-one_us-central1_prod'
        $e[0].Exception.Message | Should -Match 'gke_project-two_europe-west1_prod'
        (Get-MeshCluster -Kubeconfig $file, $second -Context gke_project-two_europe-west1_prod).Name | Should -BeExactly 'prod'
    }
}

Describe '$env:KUBECONFIG does not change the offline render' -Tag Lab {
    It 'Install-EastWestGateway -Network -Revision -AsIstioOperator stays one offline document' {
        $env:KUBECONFIG = $Kubeconfigs -join [IO.Path]::PathSeparator
        try { $yaml = @(Install-EastWestGateway -Network net-x -Revision asm-1282-4 -AsIstioOperator) }
        finally { $env:KUBECONFIG = $script:SavedKubeconfig }
        $yaml.Count | Should -Be 1
        $yaml[0] | Should -Not -Match '# Context:'
        $yaml[0] | Should -Match 'kind: IstioOperator'
    }
}
