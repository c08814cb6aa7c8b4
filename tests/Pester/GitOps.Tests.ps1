# -ManifestOnly for GitOps: per-cluster output (YAML strings with a Context), -OutputDirectory writing one file per
# context with LF line endings, Publish-MeshService -ManifestOnly, and conflicting switches refused
# (docs/design/gitops-manifests.md).
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    Import-HybridMeshLab
    $script:lab = Start-TestLab -Clusters 2
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:contexts = @($lab.clusters.context)
    $script:work = New-TestDirectory
    $script:environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId

    function script:Clear-LabRequests { foreach ($c in $lab.clusters) { Get-MeshLabRequest $lab -Cluster $c.name -Clear | Out-Null } }
    function script:Get-LabMethods { @(foreach ($c in $lab.clusters) { Get-MeshLabRequest $lab -Cluster $c.name | ForEach-Object { $_.method } }) | Sort-Object -Unique }
    function script:Get-ManifestFileName([string] $Context) { ($Context -replace '[:/\\*?"<>|]', '_') + '.yaml' }
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item -Recurse -Force -LiteralPath $work -ErrorAction SilentlyContinue
}

Describe 'Conflicting switches' -Tag Integration {
    It '-ManifestOnly with -AsIstioOperator is refused before any request' {
        Clear-LabRequests
        { $environment | Install-EastWestGateway -ManifestOnly -AsIstioOperator } |
            Should -Throw -ErrorId 'HybridMesh.ConflictingParameters,HybridMesh.Commands.InstallEastWestGatewayCommand'
        { Install-EastWestGateway -ManifestOnly -AsIstioOperator -Network net-a -Revision asm-1282-4 } |
            Should -Throw -ErrorId 'HybridMesh.ConflictingParameters,HybridMesh.Commands.InstallEastWestGatewayCommand'
        Get-LabMethods | Should -BeNullOrEmpty
    }

    It 'Install-MeshCertificate -ManifestOnly with -OutputDirectory is refused instead of ignoring the directory' {
        $password = ConvertTo-SecureString 'gitops-test' -AsPlainText -Force
        $ca = New-MeshCertificateAuthority -Organization 'GitOps' -KeyAlgorithm ECDSA -Path (Join-Path $work 'ca') -Password $password
        $target = Join-Path $work 'pem'
        { Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CertificateAuthority $ca -ManifestOnly -OutputDirectory $target } |
            Should -Throw -ErrorId 'HybridMesh.ConflictingParameters,HybridMesh.Commands.InstallMeshCertificateCommand'
        $target | Should -Not -Exist
    }

    It '<Command> -OutputDirectory without -ManifestOnly is refused, and nothing is applied' -ForEach @(
        @{ Command = 'Install-EastWestGateway' }, @{ Command = 'Publish-MeshService' }, @{ Command = 'New-Mesh' }
    ) {
        Clear-LabRequests
        $target = Join-Path $work "without-$Command"
        { $environment | & $Command -OutputDirectory $target -Confirm:$false } |
            Should -Throw -ErrorId "HybridMesh.ManifestOnlyRequired,HybridMesh.Commands.$($Command -replace '-', '')Command"
        $target | Should -Not -Exist
        Get-LabMethods | Should -BeNullOrEmpty
    }
}

Describe '-ManifestOnly output per cluster' -Tag Integration {
    It 'Install-EastWestGateway writes one YAML string per cluster carrying its Context' {
        $yaml = @($environment | Install-EastWestGateway -ManifestOnly)
        $yaml | Should -HaveCount 2
        $yaml | ForEach-Object { $_ | Should -BeOfType ([string]) }
        $yaml.Context | Should -Be $contexts
        for ($i = 0; $i -lt 2; $i++) { $yaml[$i] | Should -Match "^# Context: $([regex]::Escape($contexts[$i]))\r?\n---" }
        ($yaml | Group-Object Context).Count | Should -Be 2
    }

    It 'Install-EastWestGateway -OutputDirectory writes one file per context with LF endings, and sends only reads' {
        $expected = @($environment | Install-EastWestGateway -ManifestOnly)
        Clear-LabRequests
        $target = Join-Path $work 'eastwest'
        $files = @($environment | Install-EastWestGateway -ManifestOnly -OutputDirectory $target)
        $files | Should -HaveCount 2
        $files | ForEach-Object { $_ | Should -BeOfType ([System.IO.FileInfo]) }
        $files.Name | Should -Be @($contexts | ForEach-Object { Get-ManifestFileName $_ })
        @(Get-ChildItem $target).Count | Should -Be 2
        for ($i = 0; $i -lt 2; $i++) {
            $bytes = [IO.File]::ReadAllBytes($files[$i].FullName)
            $bytes | Should -Not -Contain ([byte] 13)
            $bytes[0] | Should -Not -Be 0xEF    # no BOM
            [Text.Encoding]::UTF8.GetString($bytes) | Should -BeExactly (($expected[$i] -replace "`r`n", "`n").TrimEnd("`n") + "`n")
        }
        Get-LabMethods | Should -Be 'GET'
    }

    It '-AsIstioOperator -OutputDirectory works offline and names the file after the network' {
        $target = Join-Path $work 'iop'
        $file = Install-EastWestGateway -AsIstioOperator -Network net-a -Revision asm-1282-4 -OutputDirectory $target
        $file.Name | Should -Be 'net-a.yaml'
        Get-Content -Raw $file.FullName | Should -Match 'kind: IstioOperator'
    }

    It '-OutputDirectory honours -WhatIf' {
        $target = Join-Path $work 'whatif'
        $environment | Install-EastWestGateway -ManifestOnly -OutputDirectory $target -WhatIf | Should -BeNullOrEmpty
        $target | Should -Not -Exist
    }

    It 'Publish-MeshService -ManifestOnly renders the Gateway per cluster before any gateway exists, and writes nothing' {
        Clear-LabRequests
        $yaml = @($environment | Publish-MeshService -ManifestOnly)
        $yaml | Should -HaveCount 2
        $yaml.Context | Should -Be $contexts
        foreach ($document in $yaml) {
            $document | Should -Match 'apiVersion: networking.istio.io/v1\b'
            $document | Should -Match 'kind: Gateway'
            $document | Should -Match 'name: cross-network-gateway'
            $document | Should -Match 'mode: AUTO_PASSTHROUGH'
        }
        Get-LabMethods | Should -Be 'GET'
        $files = @($environment | Publish-MeshService -ManifestOnly -OutputDirectory (Join-Path $work 'expose'))
        $files.Name | Should -Be @($contexts | ForEach-Object { Get-ManifestFileName $_ })
        Get-LabMethods | Should -Be 'GET'
    }

    It 'New-Mesh -ManifestOnly -OutputDirectory puts each cluster''s documents in its own file' {
        $documents = @($environment | New-Mesh -ManifestOnly -IncludeCredentials -WarningAction SilentlyContinue)
        $documents.Count | Should -BeGreaterThan 0
        $documents | ForEach-Object { $_.Context | Should -BeIn $contexts }
        $target = Join-Path $work 'mesh'
        $files = @($environment | New-Mesh -ManifestOnly -IncludeCredentials -OutputDirectory $target -WarningAction SilentlyContinue)
        $byContext = $documents | Group-Object Context
        $files.Name | Sort-Object | Should -Be @($byContext | ForEach-Object { Get-ManifestFileName $_.Name } | Sort-Object)
        foreach ($group in $byContext) {
            $text = Get-Content -Raw (Join-Path $target (Get-ManifestFileName $group.Name))
            foreach ($document in $group.Group) { $text | Should -Match ([regex]::Escape(($document -split "`n")[0])) }
            $text | Should -Not -Match "`r"
        }
    }
}
