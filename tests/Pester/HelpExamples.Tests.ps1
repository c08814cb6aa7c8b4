# Issue 15, item 14: every example of every cmdlet's help (Get-Help, from the packaged MAML) runs as written against
# a Start-MeshLab lab. Only the lab's names are substituted: the files ./gke.yaml and ./onprem.yaml are the lab's
# kubeconfigs, and contexts, the fleet project, the Istio cluster name and the private API address become the lab's.
# Variables an example takes from an earlier step ($environment, $mesh, $ca, $password, $kubeconfigs) are made the
# way the help describes; Read-Host is answered and prompts are accepted ($ConfirmPreference = 'None'), as a user
# at the terminal would. Examples that need Google itself or other tools are skipped, each with its reason.

BeforeDiscovery {
    Import-Module (Join-Path $env:HYBRIDMESH_MODULE_PATH 'HybridMesh.psd1') -Force
    # The runbook's order, so each example finds the mesh in the state its help assumes.
    $order = 'Get-MeshCluster', 'Get-MeshEnvironment', 'New-MeshCertificateAuthority', 'Install-MeshCertificate',
    'Install-EastWestGateway', 'Publish-MeshService', 'New-Mesh', 'Get-MeshLink', 'Test-MeshConnectivity',
    'Update-MeshLinkCredential', 'Remove-Mesh', 'Unpublish-MeshService', 'Uninstall-EastWestGateway'
    $skips = @{
        'Get-MeshEnvironment 5'     = 'runs gcloud auth print-access-token (Google credentials)'
        'Get-MeshEnvironment 6'     = 'calls Private Service Connect endpoints of Google, which the lab is not'
        'Install-EastWestGateway 4' = 'runs istioctl, which is not part of this module or the lab'
        'Install-MeshCertificate 3' = 'runs asmcli, which is not part of this module or the lab'
    }
    $exported = @((Get-Module HybridMesh).ExportedCmdlets.Keys)
    $script:examples = foreach ($name in @($order) + @($exported | Where-Object { $_ -notin $order })) {
        $i = 0
        foreach ($example in @((Get-Help $name -Full).examples.example)) {
            $i++
            $key = "$name $i"
            @{ Name = $name; Number = $i; Title = $example.title.Trim('- '); Code = $example.code; Skip = [bool] $skips[$key]; Note = $(if ($skips[$key]) { " (skipped: $($skips[$key]))" } else { '' }) }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    $script:Lab = Start-TestLab -Clusters 2 -ExtraArguments @('--lb-delay-ms', '50', '--mesh-traffic')
    $script:Work = New-TestDirectory
    Copy-Item -LiteralPath $Lab.Kubeconfig[0] -Destination (Join-Path $Work 'gke.yaml')
    Copy-Item -LiteralPath $Lab.Kubeconfig[1] -Destination (Join-Path $Work 'onprem.yaml')
    Copy-Item -LiteralPath $Lab.Kubeconfig[0] -Destination (Join-Path $Work 'prod.yaml')
    $gke = $Lab.Context[0]; $onPrem = $Lab.Context[1]
    $istio = (Get-MeshCluster -Kubeconfig $Lab.Kubeconfig -Detailed).Details.IstioClusterName
    $onPremServer = (Get-MeshCluster -Kubeconfig $Lab.Kubeconfig -Context $onPrem).Server
    $gkeServer = (Get-MeshCluster -Kubeconfig $Lab.Kubeconfig -Context $gke).Server
    # Longest first, so 'my-fleet-project' is replaced before 'my-fleet'.
    $script:Names = [ordered]@{
        'gke_my-project_us-central1_prod'     = $gke
        'gke_my-proj_us-central1_c1'          = $gke
        'gke_p_us-central1_c1'                = $gke
        'gke_p_l_c'                           = $gke
        'prod-gke'                            = $gke
        'admin@onprem-user1'                  = $onPrem
        'admin@onprem1'                       = $onPrem
        'admin@onprem'                        = $onPrem
        'cn-my-fleet-project-global-onprem1'  = $istio[1]
        'https://10.20.0.2:6443'              = $onPremServer
        'https://10.20.0.5:443'               = $gkeServer
        'my-fleet-project'                    = $Lab.FleetProjectId
        'my-fleet'                            = $Lab.FleetProjectId
    }
    $script:SavedKubeconfig = $env:KUBECONFIG

    function ConvertTo-LabExample([string] $Code) {
        foreach ($key in $Names.Keys) { $Code = $Code.Replace($key, $Names[$key]) }
        $Code
    }

    # The state the help of an example assumes, where an earlier example changed it: an example that makes the
    # mesh's first root finds clusters without one (and no ./mesh-root folder yet); Test-MeshConnectivity checks "a
    # mesh made by New-Mesh", after Publish-MeshService's Example 2 narrowed one cluster's hosts.
    function Initialize-ExampleState([string] $Name, [int] $Number) {
        if ("$Name $Number" -in 'New-MeshCertificateAuthority 2', 'Install-MeshCertificate 1') {
            foreach ($kubeconfig in $Lab.Kubeconfig) {
                & kubectl --kubeconfig $kubeconfig -n istio-system delete secret cacerts --ignore-not-found 2>&1 | Out-Null
            }
            if ($Name -eq 'Install-MeshCertificate') { Remove-Item -Recurse -Force -LiteralPath (Join-Path $Work 'mesh-root') -ErrorAction SilentlyContinue }
        }
        if ($Name -eq 'Test-MeshConnectivity' -and $Number -eq 1) {
            Get-MeshCluster -Kubeconfig $Lab.Kubeconfig | Get-MeshEnvironment -FleetProjectId $Lab.FleetProjectId |
                Install-EastWestGateway -Confirm:$false | Publish-MeshService -Confirm:$false | New-Mesh -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        }
    }

    # A comment block '# <file>:' followed by '#   <line>' lines shows a file the example reads: write it.
    function Write-ExampleFile([string] $Code) {
        $file = $null
        foreach ($line in $Code -split "`r?`n") {
            if ($line -match '^#\s*(\S+\.(csv|json|yaml)):\s*$') { $file = Join-Path $Work $Matches[1]; Set-Content -LiteralPath $file -Value @(); continue }
            if ($file -and $line -match '^#\s{2,}(.*)$') { Add-Content -LiteralPath $file -Value $Matches[1]; continue }
            $file = $null
        }
    }
}

AfterAll {
    $env:KUBECONFIG = $script:SavedKubeconfig
    Stop-TestLab $script:Lab
    Remove-Item -Recurse -Force -LiteralPath $script:Work -ErrorAction SilentlyContinue
}

Describe 'Help example <Name> <Number>: <Title><Note>' -ForEach $examples -Tag Lab {
    It 'runs as written against the lab' -Skip:$Skip {
        $code = ConvertTo-LabExample $Code
        Write-ExampleFile $code
        Initialize-ExampleState $Name $Number
        $prelude = {
            $ConfirmPreference = 'None'
            # An RSA 4096 key takes seconds of CPU to generate, and a root made with the default family makes its
            # intermediates RSA too (six or more keys over the certificate examples). The default (RSA) is run once,
            # by the example that shows it (New-MeshCertificateAuthority 1; the xunit CertificateAuthorityTests cover
            # RSA roots and intermediates); a root any other example makes with the default is ECDSA.
            if ("$Name $Number" -ne 'New-MeshCertificateAuthority 1') {
                $PSDefaultParameterValues = @{ 'New-MeshCertificateAuthority:KeyAlgorithm' = 'ECDSA' }
            }
            $password = ConvertTo-SecureString 'lab-root-password' -AsPlainText -Force
            function Read-Host { ConvertTo-SecureString 'lab-root-password' -AsPlainText -Force }
            $kubeconfigs = './gke.yaml', './onprem.yaml'
            $env:KUBECONFIG = (Resolve-Path $kubeconfigs) -join [IO.Path]::PathSeparator
            # Made only for an example that reads it without making it itself (most do not): each is a round of
            # reads on every lab cluster and the fleet, and the suite's time is CPU (docs/design/test-suite.md).
            $needsMesh = $Code -match '\$mesh\b' -and $Code -notmatch '\$mesh\s*='
            if ($needsMesh -or ($Code -match '\$environment\b' -and $Code -notmatch '(?m)^\$environment\s*=')) {
                $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $FleetProjectId
            }
            if ($needsMesh) { $mesh = $environment | New-Mesh -WarningAction SilentlyContinue }
            if ($Code -match '\$ca\b' -and $Code -notmatch '\$ca\s*=') {
                $ca = New-MeshCertificateAuthority -CertificatePath ./mesh-root/root-cert.pem -KeyPath ./mesh-root/root-key.pem -Password $password
            }
        }
        Push-Location $Work
        try {
            $output = & {
                param($Code, $FleetProjectId)
                . $prelude
                . ([scriptblock]::Create($Code))
            } $code $Lab.FleetProjectId 2>&1 3>$null 6>$null
        }
        finally {
            Pop-Location
            $env:KUBECONFIG = $script:SavedKubeconfig
        }
        $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty -Because "the example was:`n$code"
    }
}
