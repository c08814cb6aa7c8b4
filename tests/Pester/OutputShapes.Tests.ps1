# Every output type as a user meets it on an 80-column terminal and in ConvertTo-Json (docs/design/output-shapes.md),
# from one real run of the runbook on the lab, day-2 and certificate cmdlets included.
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2 -ExtraArguments '--mesh-traffic'
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:work = New-TestDirectory

    $script:outputs = [ordered]@{}
    $outputs.MeshCluster = Get-MeshCluster -Kubeconfig $kubeconfigs
    $outputs.MeshClusterDetailed = Get-MeshCluster -Kubeconfig $kubeconfigs -Detailed
    $outputs.MeshEnvironment = $outputs.MeshCluster | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId
    $outputs.ClusterNetwork = $outputs.MeshEnvironment.Clusters
    $outputs.EastWestGateway = $outputs.MeshEnvironment | Install-EastWestGateway -Confirm:$false
    $outputs.AppliedObject = $outputs.EastWestGateway.Objects
    $outputs.MeshServiceExposure = $outputs.EastWestGateway | Publish-MeshService -Confirm:$false
    $outputs.Mesh = $outputs.MeshServiceExposure | New-Mesh -Confirm:$false -WarningAction SilentlyContinue
    $outputs.MeshLink = $outputs.Mesh.Links
    $outputs.MeshCheck = $outputs.Mesh | Test-MeshConnectivity
    $outputs.MeshTrafficResult = $outputs.Mesh | Test-MeshConnectivity -Traffic -Requests 4 -Confirm:$false |
        Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] }
    $outputs.MeshLinkInfo = $outputs.Mesh | Get-MeshLink
    $outputs.MeshLinkRotation = $outputs.Mesh | Update-MeshLinkCredential -Source $lab.clusters[1].context -Confirm:$false
    $password = ConvertTo-SecureString 'pester-shapes' -AsPlainText -Force
    $outputs.MeshCertificateAuthority = New-MeshCertificateAuthority -Organization 'Shapes' -KeyAlgorithm ECDSA -Path (Join-Path $work 'root') -Password $password
    $outputs.MeshCertificateInstall = $outputs.MeshCluster | Install-MeshCertificate -CertificateAuthority $outputs.MeshCertificateAuthority -Confirm:$false -WarningAction SilentlyContinue

    # The short name the views show (docs/design/cluster-names.md): the GKE cluster name of a gcloud context.
    function script:Get-ShortName([string] $Context) { $Context -replace '^gke_[a-z][a-z0-9-]{4,28}[a-z0-9]_[a-z0-9-]+_([a-z0-9-]+)$', '$1' }

    # What must stay visible per type: the outcome column and the cluster column, with the value each row shows there.
    $script:views = @(
        @{ Type = 'MeshCluster'; Status = $null; Cluster = 'Cluster'; Row = { $null, $_.Name } }
        @{ Type = 'MeshClusterDetailed'; Status = 'Revisions'; Cluster = 'Cluster'; Row = { ($_.Details.IstioRevisions -join ', '), $_.Name } }
        @{ Type = 'ClusterNetwork'; Status = 'Network'; Cluster = 'Cluster'; Row = { $_.Network, $_.Name } }
        @{ Type = 'EastWestGateway'; Status = 'Status'; Cluster = 'Cluster'; Row = { "$($_.Status)", $_.Cluster.Name } }
        @{ Type = 'AppliedObject'; Status = 'Outcome'; Cluster = 'Cluster'; Row = { "$($_.Outcome)", (Get-ShortName $_.Context) } }
        @{ Type = 'MeshServiceExposure'; Status = 'Outcome'; Cluster = 'Cluster'; Row = { "$($_.Outcome)", $_.Cluster.Name } }
        @{ Type = 'MeshLink'; Status = 'Status'; Cluster = 'Source'; Row = { "$($_.Status)", (Get-ShortName $_.SourceContext) } }
        @{ Type = 'MeshCheck'; Status = 'Status'; Cluster = 'Cluster'; Row = { "$($_.Status)", (Get-ShortName $_.Cluster) } }
        @{ Type = 'MeshTrafficResult'; Status = 'Passed'; Cluster = 'From'; Row = { "$($_.Passed)", $_.From } }
        @{ Type = 'MeshLinkInfo'; Status = 'State'; Cluster = 'Source'; Row = { "$($_.State)", (Get-ShortName $_.SourceContext) } }
        @{ Type = 'MeshLinkRotation'; Status = 'Status'; Cluster = 'Source'; Row = { "$($_.Status)", (Get-ShortName $_.SourceContext) } }
        @{ Type = 'MeshCertificateInstall'; Status = 'Cacerts'; Cluster = 'Cluster'; Row = { "$($_.Outcome)", $_.Cluster.Name } }
    )
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item -Recurse -Force -LiteralPath $work -ErrorAction SilentlyContinue
}

Describe 'Default views at 80 columns' -Tag Integration {
    It '<Type> keeps its outcome and cluster columns visible' -ForEach @(
        'MeshCluster', 'MeshClusterDetailed', 'ClusterNetwork', 'EastWestGateway', 'AppliedObject', 'MeshServiceExposure', 'MeshLink',
        'MeshCheck', 'MeshTrafficResult', 'MeshLinkInfo', 'MeshLinkRotation', 'MeshCertificateInstall' | ForEach-Object { @{ Type = $_ } }
    ) {
        $view = $views | Where-Object { $_.Type -eq $Type }
        $objects = @($outputs[$Type])
        $objects.Count | Should -BeGreaterThan 0
        $text = $objects | Out-String -Width 80
        $lines = $text -split "`r?`n" | Where-Object { $_.Trim() }
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        # A table (not a list), whose header names both columns in full.
        $header = $lines[0]
        $lines[1] | Should -Match '^-+(\s+-+)*\s*$' -Because "the default view of $Type is a table:`n$text"
        if ($view.Status) { $header | Should -Match "(^|\s)$($view.Status)(\s|$)" -Because $text }
        $header | Should -Match "(^|\s)$($view.Cluster)(\s|$)" -Because $text
        foreach ($object in $objects) {
            $status, $cluster = $object | ForEach-Object $view.Row
            $text | Should -Match "(^|\s)$([regex]::Escape($cluster))(\s|$)" -Because "cluster '$cluster' must be visible in full:`n$text"
            if ($status) { $text | Should -Match ([regex]::Escape($status.Substring(0, [Math]::Min(8, $status.Length)))) -Because $text }
        }
    }

    It 'puts the outcome first and the detail last in the check table, with short cluster names' {
        $text = $outputs.MeshCheck | Out-String -Width 80
        ($text -split "`r?`n" | Where-Object { $_.Trim() })[0] | Should -Match '^Status\s+Cluster\s+Check\s+Peer\s+Detail'
        $text | Should -Not -Match 'gke_lab-gke-pr'
        $text | Should -Match 'Passed\s+cluster1\s+ApiServer\s'
        $text | Should -Match 'Passed\s+admin@cluster2\s+RemoteSecret\s+cluster1\s'
        # The properties keep the full context.
        $outputs.MeshCheck[0].Cluster | Should -BeExactly $lab.clusters[0].context
    }

    It 'Get-MeshCluster -Detailed shows the live facts by default' {
        $text = $outputs.MeshClusterDetailed | Out-String -Width 200
        $text | Should -Match 'Cluster\s+Version\s+Revisions\s+Network\s+IstioCluster\s+RootCA\s+Context'
        $text | Should -Match 'asm-1282-4'
        # Still a MeshCluster (binding, type checks) and the plain listing keeps its own view.
        $outputs.MeshClusterDetailed[0] | Should -BeOfType ([HybridMesh.Models.MeshCluster])
        ($outputs.MeshCluster | Out-String -Width 200) | Should -Match 'Cluster\s+Platform\s+Server'
        ($outputs.MeshCluster | Format-Table -View Detailed | Out-String -Width 200) | Should -Match 'Revisions'
    }
}

Describe 'ConvertTo-Json of every output type' -Tag Integration {
    It '<Type> writes enums as their names' -ForEach @(
        'MeshCluster', 'MeshClusterDetailed', 'MeshEnvironment', 'ClusterNetwork', 'EastWestGateway', 'AppliedObject', 'MeshServiceExposure',
        'Mesh', 'MeshLink', 'MeshCheck', 'MeshTrafficResult', 'MeshLinkInfo', 'MeshLinkRotation', 'MeshCertificateAuthority',
        'MeshCertificateInstall' | ForEach-Object { @{ Type = $_ } }
    ) {
        $object = @($outputs[$Type])[0]
        $json = $object | ConvertTo-Json -Depth 10 | ConvertFrom-Json
        $enums = $object.GetType().GetProperties() | Where-Object { ([Nullable]::GetUnderlyingType($_.PropertyType) ?? $_.PropertyType).IsEnum }
        foreach ($property in $enums) {
            $value = $object.($property.Name)
            if ($null -eq $value) { continue }
            $json.($property.Name) | Should -BeOfType ([string]) -Because "$Type.$($property.Name) must be a name in JSON"
            $json.($property.Name) | Should -BeExactly "$value"
        }
    }

    It 'writes "Status": "Passed", never a number, with the default depth' {
        $json = $outputs.MeshCheck[0] | ConvertTo-Json
        $json | Should -Match '"Status": "Passed"'
        $json = $outputs.EastWestGateway[0] | ConvertTo-Json -WarningVariable truncated -WarningAction SilentlyContinue
        $truncated | Should -BeNullOrEmpty
        $back = $json | ConvertFrom-Json
        $back.Status | Should -Be 'Ready'
        $back.Objects.Outcome | Should -Contain 'Created'
        $back.Cluster.Platform | Should -Be 'Gke'
    }

    It '<Type> is complete without -Depth' -ForEach @(
        'MeshCluster', 'MeshClusterDetailed', 'EastWestGateway', 'AppliedObject', 'MeshServiceExposure', 'MeshLink', 'MeshCheck',
        'MeshTrafficResult', 'MeshLinkInfo', 'MeshLinkRotation', 'MeshCertificateAuthority', 'MeshCertificateInstall' | ForEach-Object { @{ Type = $_ } }
    ) {
        $object = @($outputs[$Type])[0]
        $default = $object | ConvertTo-Json -WarningVariable truncated -WarningAction SilentlyContinue
        $truncated | Should -BeNullOrEmpty -Because "$Type must not need -Depth"
        $default | Should -BeExactly ($object | ConvertTo-Json -Depth 20)
    }

    It 'Mesh has one cluster list, Cluster' {
        $mesh = $outputs.Mesh
        $mesh.PSObject.Properties.Name | Should -Contain 'Cluster'
        $mesh.PSObject.Properties.Name | Should -Not -Contain 'Clusters'
        ($mesh | ConvertTo-Json -Depth 5 | ConvertFrom-Json).PSObject.Properties.Name | Should -Not -Contain 'Clusters'
        ($mesh | Out-String -Width 80) | Should -Match 'Clusters\s+Links\s+Connected'
    }
}
