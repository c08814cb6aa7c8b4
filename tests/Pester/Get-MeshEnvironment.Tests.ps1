BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
    $script:lab = Start-TestLab -Clusters 2
    Use-TestLabFleet $lab
    $script:kubeconfigs = @($lab.clusters.kubeconfig)
    $script:gkeContext = $lab.clusters[0].context
    $script:onPremContext = $lab.clusters[1].context
}

AfterAll {
    Stop-TestLab $lab
    Remove-Item Env:HYBRIDMESH_GOOGLE_API_ENDPOINT, Env:GOOGLE_APPLICATION_CREDENTIALS -ErrorAction SilentlyContinue
}

Describe 'Get-MeshEnvironment against the lab fleet' -Tag Integration {
    It 'returns the fleet number, mesh id and a network per cluster from the pipeline' {
        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId
        $environment | Should -BeOfType ([HybridMesh.Models.MeshEnvironment])
        $environment.ProjectNumber | Should -Be $lab.fleet.projectNumber
        $environment.MeshId | Should -Be "proj-$($lab.fleet.projectNumber)"
        $environment.Clusters.Context | Should -Be @($gkeContext, $onPremContext)
        # GKE: <cluster project>-<VPC network> from clusters.get; on-prem: default.
        $environment.Networks | Should -Be @("$($lab.fleet.gkeProject)-default", 'default')
        $environment.Clusters.NetworkSource | Should -Be @('GkeNetwork', 'Default')
    }

    It 'binds plain objects with Kubeconfig and Context by property name' {
        $rows = $lab.clusters | ForEach-Object { [pscustomobject]@{ Kubeconfig = $_.kubeconfig; Context = $_.context } }
        $environment = $rows | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId
        $environment.Clusters | Should -HaveCount 2
    }

    It 'lets -Network win and -Export set the documented variables' {
        $environment = Get-MeshCluster -Kubeconfig $kubeconfigs |
            Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Network @{ $onPremContext = 'onprem-dc1' } -Export
        $environment.Networks[1] | Should -Be 'onprem-dc1'
        $env:PROJECT_NUMBER | Should -Be "$($lab.fleet.projectNumber)"
        $env:MESH_ID | Should -Be $environment.MeshId
        $env:NETWORK_1 | Should -Be "$($lab.fleet.gkeProject)-default"
        $env:NETWORK_2 | Should -Be 'onprem-dc1'
    }

    It 'prefers the network label a cluster already carries, and warns that it differs' {
        $body = @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system'; labels = @{ 'topology.istio.io/network' = 'dc1-net' } } } | ConvertTo-Json -Depth 5
        Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($lab.clusters[1].name)/objects" -Body $body -ContentType 'application/json' | Out-Null
        try {
            $environment = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -WarningVariable warnings -WarningAction SilentlyContinue
            $environment.Networks[1] | Should -Be 'dc1-net'
            $environment.Clusters[1].NetworkSource | Should -Be 'ClusterLabel'
            ($warnings -join "`n") | Should -Match "dc1-net.*default"
            $offline = Get-MeshCluster -Kubeconfig $kubeconfigs | Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -SkipClusterLabel
            $offline.Networks[1] | Should -Be 'default'
        }
        finally {
            $body = @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'istio-system' } } | ConvertTo-Json -Depth 5
            Invoke-RestMethod -Method Post -Uri "$($lab.controlUrl)/clusters/$($lab.clusters[1].name)/objects" -Body $body -ContentType 'application/json' | Out-Null
        }
    }

    It 'works with -AccessToken instead of application default credentials' {
        $saved = $env:GOOGLE_APPLICATION_CREDENTIALS
        try {
            Remove-Item Env:GOOGLE_APPLICATION_CREDENTIALS
            $token = ConvertTo-SecureString $lab.fleet.accessToken -AsPlainText -Force
            $environment = Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -AccessToken $token -Kubeconfig $kubeconfigs -Context $onPremContext
            $environment.ProjectNumber | Should -Be $lab.fleet.projectNumber
        }
        finally { $env:GOOGLE_APPLICATION_CREDENTIALS = $saved }
    }

    It 'rejects an invalid project id before any call' {
        { Get-MeshEnvironment -FleetProjectId 'Not_A_Project' -SkipClusterLabel -ErrorAction Stop } |
            Should -Throw -ErrorId 'HybridMesh.FleetProjectIdInvalid,HybridMesh.Commands.GetMeshEnvironmentCommand'
    }

    It 'rejects an empty or blank project id with the fix' {
        { Get-MeshEnvironment -FleetProjectId '' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationErrorEmptyStringNotAllowed,HybridMesh.Commands.GetMeshEnvironmentCommand'
        $err = { Get-MeshEnvironment -FleetProjectId '   ' -SkipClusterLabel -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'HybridMesh.FleetProjectIdInvalid,*'
        $err.ErrorDetails.RecommendedAction | Should -Match 'gcloud projects list'
    }

    It 'reports a project that does not exist' {
        $err = { Get-MeshEnvironment -FleetProjectId 'no-such-project' -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'HybridMesh.ProjectNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be 'no-such-project'
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'reports a rejected access token without showing it' {
        $bad = 'lab-bad-token-' + (Get-Random)
        $err = { Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -AccessToken (ConvertTo-SecureString $bad -AsPlainText -Force) -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'HybridMesh.AuthenticationFailed,*'
        ($err | Out-String) + $err.ErrorDetails.RecommendedAction | Should -Not -Match $bad
    }

    It 'says which project does not exist or cannot be read (Resource Manager answers 403 for both)' {
        $err = { Get-MeshEnvironment -FleetProjectId 'no-such-project' -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ProjectNotFound,HybridMesh.Commands.GetMeshEnvironmentCommand'
        $err.Exception.Message | Should -Match 'does not exist or you may not read it'
    }

    It 'names the API to enable when Google answers SERVICE_DISABLED' {
        $faults = "$($lab.fleet.controlUrl)faults"
        Invoke-RestMethod -Method Post -Uri $faults -ContentType 'application/json' -Body (@{ api = 'ResourceManager'; disableService = $true } | ConvertTo-Json) | Out-Null
        try {
            $err = { Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.GoogleServiceDisabled,HybridMesh.Commands.GetMeshEnvironmentCommand'
            $err.CategoryInfo.Category | Should -Be 'NotInstalled'
            $err.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape("gcloud services enable cloudresourcemanager.googleapis.com --project $($lab.fleet.projectNumber)"))
            $err.ErrorDetails.RecommendedAction | Should -Not -Match 'roles/viewer'
        }
        finally { Invoke-RestMethod -Method Delete -Uri $faults | Out-Null }
    }

    It 'reports missing credentials with the fix' {
        $saved = @{ ADC = $env:GOOGLE_APPLICATION_CREDENTIALS; CLOUDSDK = $env:CLOUDSDK_CONFIG; META = $env:GCE_METADATA_HOST }
        try {
            Remove-Item Env:GOOGLE_APPLICATION_CREDENTIALS
            $env:CLOUDSDK_CONFIG = New-TestDirectory
            $env:GCE_METADATA_HOST = '127.0.0.1:9'
            $err = { Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'HybridMesh.CredentialsNotFound,*'
            $err.ErrorDetails.RecommendedAction | Should -Match 'application-default login'
        }
        finally {
            $env:GOOGLE_APPLICATION_CREDENTIALS = $saved.ADC; $env:CLOUDSDK_CONFIG = $saved.CLOUDSDK; $env:GCE_METADATA_HOST = $saved.META
        }
    }

    It 'retries 429 and 503 from the fleet and converges' {
        $faults = "$($lab.fleet.controlUrl)faults"
        Invoke-RestMethod -Method Post -Uri $faults -ContentType 'application/json' -Body (@{ status = 429; count = 1 } | ConvertTo-Json) | Out-Null
        Invoke-RestMethod -Method Post -Uri $faults -ContentType 'application/json' -Body (@{ status = 503; count = 1 } | ConvertTo-Json) | Out-Null
        try {
            (Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId).ProjectNumber | Should -Be $lab.fleet.projectNumber
        }
        finally { Invoke-RestMethod -Method Delete -Uri $faults | Out-Null }
    }

    It 'has a default table view' {
        $table = Get-MeshEnvironment -FleetProjectId $lab.fleet.projectId -Kubeconfig $kubeconfigs -Context $onPremContext | Format-Table | Out-String
        $table | Should -Match 'MeshId'
        $table | Should -Match "proj-$($lab.fleet.projectNumber)"
    }
}

Describe 'Get-MeshCluster -Detailed against the lab' -Tag Integration {
    It 'adds the live facts of each cluster' {
        $clusters = Get-MeshCluster -Kubeconfig $kubeconfigs -Detailed
        $clusters | Should -HaveCount 2
        foreach ($cluster in $clusters) {
            $cluster.Details.ServerVersion | Should -Match '^v1\.'
            $cluster.Details.IstioRevisions | Should -Be @('asm-1282-4')
            $cluster.Details.RootCertificateFingerprints | Should -Not -BeNullOrEmpty
        }
        $clusters.Details.IstioClusterName | Should -Be @($lab.clusters.clusterId)
        $clusters | Format-Table -View Detailed | Out-String | Should -Match 'asm-1282-4'
    }

    It 'fails within the timeout for an unreachable API server, with the id and the fix' {
        $dir = New-TestDirectory
        $dead = Join-Path $dir 'dead.yaml'
        # The same cluster, but at a loopback port nothing listens on.
        (Get-Content -Raw $lab.clusters[1].kubeconfig) -replace 'server: https://127\.0\.0\.1:\d+', 'server: https://127.0.0.1:9' | Set-Content $dead
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $result = Get-MeshCluster -Kubeconfig $dead -Detailed -RequestTimeoutSec 2 -ErrorVariable err -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $result | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'HybridMesh.ApiServerUnreachable,HybridMesh.Commands.GetMeshClusterCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'TimeoutSec'
    }
}
