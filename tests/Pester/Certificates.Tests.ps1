# The shared root of trust as a user meets it: New-MeshCertificateAuthority, then Install-MeshCertificate on two lab
# clusters whose istiods serve different self-signed roots. The lab's istiod loads cacerts only when it restarts, and
# its traffic model fails between clusters whose served roots differ (docs/design/shared-root.md).
BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2 -ExtraArguments '--distinct-roots', '--mesh-traffic'
    Use-TestLabFleet $lab
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:work = New-TestDirectory
    $script:password = ConvertTo-SecureString 'pester-root-pass' -AsPlainText -Force
    $script:ca = New-MeshCertificateAuthority -Organization 'Pester Org' -KeyAlgorithm ECDSA -Path (Join-Path $work 'root') -Password $password

    function script:Get-LabObject($Cluster, [string] $ApiVersion, [string] $Kind, [string] $Namespace, [string] $Name) {
        @(Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($Cluster.name)/objects?apiVersion=$ApiVersion&kind=$Kind&namespace=$Namespace") |
            ForEach-Object { $_ } | Where-Object { $_.metadata.name -eq $Name }
    }

    function script:Get-ServedRoot($Cluster) {
        (Get-LabObject $Cluster v1 ConfigMap istio-system istio-ca-root-cert).data.'root-cert.pem'
    }
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    Remove-Item Env:HYBRIDMESH_GOOGLE_API_ENDPOINT, Env:GOOGLE_APPLICATION_CREDENTIALS -ErrorAction SilentlyContinue
}

Describe 'New-MeshCertificateAuthority' {
    It 'creates a root whose view shows subject, fingerprint and validity, and saves the key encrypted and owner-only' {
        $ca | Should -BeOfType ([HybridMesh.Models.MeshCertificateAuthority])
        $ca.Subject | Should -BeExactly 'CN=Root CA, O=Pester Org'
        $ca.Fingerprint | Should -Match '^[0-9A-F]{64}$'
        $ca.NotAfter.Year | Should -Be ([DateTime]::UtcNow.Year + 10)
        $text = $ca | Out-String
        $text | Should -Match 'Subject\s+: CN=Root CA, O=Pester Org'
        $text | Should -Match "Fingerprint \(SHA-256\)\s+: $($ca.Fingerprint)"
        "$ca" | Should -Match $ca.Fingerprint
        ($ca | Format-List * | Out-String) + ($ca | ConvertTo-Json -Depth 3) | Should -Not -Match 'PRIVATE KEY'

        $key = Join-Path $work 'root/root-key.pem'
        Get-Content -Raw $key | Should -Match '^-----BEGIN ENCRYPTED PRIVATE KEY-----'
        if (-not $IsWindows) {
            (Get-Item $key).UnixFileMode | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
        }
    }

    It 'imports the saved root with its password, and names a wrong password' {
        $back = New-MeshCertificateAuthority -CertificatePath (Join-Path $work 'root/root-cert.pem') -KeyPath (Join-Path $work 'root/root-key.pem') -Password $password
        $back.Fingerprint | Should -BeExactly $ca.Fingerprint

        $wrong = ConvertTo-SecureString 'wrong' -AsPlainText -Force
        New-MeshCertificateAuthority -CertificatePath (Join-Path $work 'root/root-cert.pem') -KeyPath (Join-Path $work 'root/root-key.pem') -Password $wrong -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.CaImportFailed,HybridMesh.Commands.NewMeshCertificateAuthorityCommand'
    }

    It 'refuses to overwrite the saved root without -Force' {
        New-MeshCertificateAuthority -Organization 'Again' -KeyAlgorithm ECDSA -Path (Join-Path $work 'root') -Password $password -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.CaFileExists,HybridMesh.Commands.NewMeshCertificateAuthorityCommand'
        (New-MeshCertificateAuthority -CertificatePath (Join-Path $work 'root/root-cert.pem') -KeyPath (Join-Path $work 'root/root-key.pem') -Password $password).Fingerprint |
            Should -BeExactly $ca.Fingerprint
    }
}

Describe 'Install-MeshCertificate against the lab' -Tag Integration {
    It '-ManifestOnly prints the cacerts Secrets, with ca-key.pem only under -IncludeCredentials' {
        $yaml = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -ManifestOnly -WarningVariable warned 3>$null
        $yaml | Should -HaveCount 2
        "$yaml" | Should -Match 'name: cacerts'
        "$yaml" | Should -Match 'cert-chain.pem:'
        "$yaml" | Should -Not -Match 'ca-key.pem'
        "$warned" | Should -Match '-IncludeCredentials'
        $full = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -ManifestOnly -IncludeCredentials
        "$full" | Should -Match 'ca-key.pem:'
        Get-LabObject $lab.clusters[0] v1 Secret istio-system cacerts | Should -BeNullOrEmpty
    }

    It '-OutputDirectory writes the four asmcli files per cluster' {
        $dir = Join-Path $work 'asmcli'
        $files = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -OutputDirectory $dir -Confirm:$false
        $files | Should -HaveCount 8
        $files[0] | Should -BeOfType ([System.IO.FileInfo])
        ($files | Select-Object -First 4).Name | Should -Be @('ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem')
        Get-Content -Raw ($files | Where-Object Name -EQ 'root-cert.pem' | Select-Object -First 1) | Should -BeExactly ($ca.CertificatePem + "`n")
    }

    It '-WhatIf sends only reads' {
        Invoke-RestMethod -Method Delete -Uri "$($lab.controlUrl)/clusters/$($lab.clusters[0].name)/requests" | Out-Null
        $result = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -RestartIstiod -WhatIf
        $result.Outcome | Should -Be @('Skipped', 'Skipped')
        $methods = (Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($lab.clusters[0].name)/requests").method | Sort-Object -Unique
        $methods | Should -Be 'GET'
    }

    It 'without -RestartIstiod writes cacerts but says the restart is pending; the old roots stay served' {
        # A workload with an injected sidecar, running before the new root: it is counted, and never restarted.
        $pod = @{ apiVersion = 'v1'; kind = 'Pod'; metadata = @{ name = 'app-1'; namespace = 'default' }
            spec = @{ containers = @(@{ name = 'app'; image = 'app' }, @{ name = 'istio-proxy'; image = 'proxyv2' }) } } | ConvertTo-Json -Depth 10
        Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($lab.clusters[0].name)/objects" -Body $pod -ContentType 'application/json' | Out-Null
        $oldRoot = Get-ServedRoot $lab.clusters[0]
        $result = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -Confirm:$false -WarningVariable warned 3>$null
        $result | Should -HaveCount 2
        $result[0] | Should -BeOfType ([HybridMesh.Models.MeshCertificateInstall])
        $result.Outcome | Should -Be @('Created', 'Created')
        $result.IstiodRestart | Should -Be @('Pending', 'Pending')
        $result[0].ProxyPodsBeforeRestart | Should -Be 1
        $result[0].WorkloadRestartCommands | Should -Be @('kubectl rollout restart deployment -n default')
        $result[1].ProxyPodsBeforeRestart | Should -Be 0
        "$warned" | Should -Match '-RestartIstiod'
        Get-ServedRoot $lab.clusters[0] | Should -BeExactly $oldRoot
        ($result | Format-Table | Out-String -Width 300) | Should -Match 'Cluster\s+Cacerts\s+Expires\s+Istiod\s+ServesRoot\s+Proxies\s+Reason'
    }

    It 'until istiod restarts, Test-MeshConnectivity names Install-MeshCertificate -RestartIstiod and New-Mesh refuses' {
        $networks = @{}
        foreach ($c in $lab.clusters) { $networks[$c.context] = "net-$($c.name)" }
        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network $networks
        $shared = @($environment | Test-MeshConnectivity -WarningAction SilentlyContinue | Where-Object Check -EQ 'SharedRoot')
        $shared.Status | Should -Be @('Failed', 'Failed')
        $shared[0].Detail | Should -Match 'istiod has not loaded cacerts; restart istiod'
        $shared[0].RecommendedAction | Should -Match 'Install-MeshCertificate -CertificateAuthority \$ca -RestartIstiod'

        $secrets = {
            foreach ($c in $lab.clusters) {
                @(Invoke-RestMethod -Uri "$($lab.controlUrl)/clusters/$($c.name)/objects?apiVersion=v1&kind=Secret&namespace=istio-system") |
                    ForEach-Object { $_ } | ForEach-Object { "$($c.name)/$($_.metadata.name)@$($_.metadata.resourceVersion)" }
            }
        }
        $before = (& $secrets | Sort-Object) -join ' '
        $before | Should -Match 'cacerts@'
        $caught = $null
        $reported = $null
        try { $environment | New-Mesh -Confirm:$false -ErrorVariable reported -ErrorAction Continue -WarningAction SilentlyContinue 2>$null | Out-Null }
        catch { $caught = $_ }
        # -ErrorVariable also collects the terminating error's exception; its ErrorRecord carries the id.
        $ids = @(@($reported) + @($caught) | Where-Object { $_ } |
            ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ } else { $_.ErrorRecord } } |
            ForEach-Object FullyQualifiedErrorId)
        $ids | Should -Contain 'HybridMesh.MeshCaCertsNotLoaded,HybridMesh.Commands.NewMeshCommand' -Because ($ids -join '; ')
        (& $secrets | Sort-Object) -join ' ' | Should -BeExactly $before   # refused before writing any Secret
    }

    It 'with -RestartIstiod the clusters serve the one root, the mesh forms and traffic reaches both versions' {
        $result = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -RestartIstiod -Confirm:$false -WarningAction SilentlyContinue
        $result.Outcome | Should -Be @('Unchanged', 'Unchanged')
        $result.IstiodRestart | Should -Be @('Restarted', 'Restarted')
        $result[0].ProxyPodsBeforeRestart | Should -Be 1
        Get-LabObject $lab.clusters[0] v1 Pod default app-1 | Should -Not -BeNullOrEmpty   # workloads are not restarted
        foreach ($c in $lab.clusters) { (Get-ServedRoot $c).Trim() | Should -BeExactly $ca.CertificatePem.Trim() }

        $networks = @{}
        foreach ($c in $lab.clusters) { $networks[$c.context] = "net-$($c.name)" }
        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network $networks
        $environment | Install-EastWestGateway | Publish-MeshService | New-Mesh -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $output = $environment | Test-MeshConnectivity -Traffic -Requests 6 -TimeoutSec 60 -WarningAction SilentlyContinue
        $checks = @($output | Where-Object { $_ -is [HybridMesh.Models.MeshCheck] })
        ($checks | Where-Object Check -EQ 'SharedRoot').Status | Should -Be @('Passed', 'Passed')
        ($checks | Where-Object Check -Like 'CaCerts*').Status | Sort-Object -Unique | Should -Be 'Passed'
        $traffic = @($output | Where-Object { $_ -is [HybridMesh.Models.MeshTrafficResult] })
        $traffic | Should -HaveCount 2
        $traffic | ForEach-Object { $_.Reached | Should -Be @('v1', 'v2') }
    }

    It 'changes nothing when run again' {
        $result = Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -RestartIstiod -Confirm:$false
        $result.Outcome | Should -Be @('Unchanged', 'Unchanged')
        $result.IstiodRestart | Should -Be @('NotNeeded', 'NotNeeded')
    }

    It 'refuses cacerts of another root, naming it, and leaves the Secret as it was' {
        $before = (Get-LabObject $lab.clusters[0] v1 Secret istio-system cacerts).metadata.resourceVersion
        $other = New-MeshCertificateAuthority -Organization 'Other Org' -KeyAlgorithm ECDSA
        Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $other -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null
        $failed | Should -HaveCount 2
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.CaCertsOtherRoot,HybridMesh.Commands.InstallMeshCertificateCommand'
        $failed[0].Exception.Message | Should -Match 'O=Pester Org'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        (Get-LabObject $lab.clusters[0] v1 Secret istio-system cacerts).metadata.resourceVersion | Should -Be $before
    }

    It 'shows no key material in any stream, transcript, -Verbose or -Debug line, or error record' {
        $transcript = Join-Path $work 'transcript.txt'
        $other = New-MeshCertificateAuthority -Organization 'Other Org' -KeyAlgorithm ECDSA
        Start-Transcript -Path $transcript | Out-Null
        try {
            $all = & {
                # Debug lines shown without -Debug's per-line prompt (this host is non-interactive).
                $DebugPreference = 'Continue'
                $ca
                $ca | Format-List * -Force | Out-String
                Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -RestartIstiod -Force -RenewWithinDays 3650 -Confirm:$false -Verbose
                Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $other -Confirm:$false -Verbose -ErrorAction Continue
                Get-MeshCluster -Kubeconfig $kubeconfigs | Install-MeshCertificate -CA $ca -ManifestOnly -Verbose
            } *>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() }
                else { $_ | Format-List * -Force | Out-String }
            }
        }
        finally {
            Stop-Transcript | Out-Null
        }
        $text = ($all -join "`n") + (Get-Content -Raw $transcript)
        $text | Should -Match 'Configured'   # the run did write (renewed every intermediate)
        $text | Should -Not -CMatch 'PRIVATE KEY'   # PEM labels; the prose may say "private keys"
        foreach ($c in $lab.clusters) {
            $key = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((Get-LabObject $c v1 Secret istio-system cacerts).data.'ca-key.pem'))
            $body = ($key -split "`n")[1]
            $text | Should -Not -Match ([regex]::Escape($body.Substring(0, 32)))
        }
        $rootKey = (Get-Content (Join-Path $work 'root/root-key.pem'))[1]
        $text | Should -Not -Match ([regex]::Escape($rootKey.Substring(0, 32)))
    }
}
