BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HybridMesh
}

Describe 'Get-MeshCluster' -Tag Unit {
    It 'returns one typed MeshCluster per context of the merged kubeconfigs' {
        $clusters = Get-MeshCluster -Kubeconfig $GkeKubeconfig, $OnPremKubeconfig
        $clusters | Should -HaveCount 2
        $clusters | ForEach-Object { $_ | Should -BeOfType ([HybridMesh.Models.MeshCluster]) }
        $gke = $clusters | Where-Object Platform -EQ 'Gke'
        $gke.Context | Should -Be 'gke_demo-gke-project_us-central1_hybrid-gke'
        $gke.Name | Should -Be 'hybrid-gke'
        $gke.GkeProject | Should -Be 'demo-gke-project'
        $gke.GkeLocation | Should -Be 'us-central1'
        $gke.GkeCluster | Should -Be 'hybrid-gke'
        $gke.Server | Should -Be 'https://127.0.0.1:9'
        $gke.Authentication | Should -Be 'Exec:gke-gcloud-auth-plugin'
        $onPrem = $clusters | Where-Object Platform -EQ 'OnPrem'
        $onPrem.Context | Should -Be 'admin@onprem-user1'
        $onPrem.GkeProject | Should -BeNullOrEmpty
        $onPrem.Kubeconfig | Should -Be @($GkeKubeconfig, $OnPremKubeconfig)
    }

    It 'honours $env:KUBECONFIG with the OS path separator and skips missing entries' {
        $saved = $env:KUBECONFIG
        try {
            $env:KUBECONFIG = @($OnPremKubeconfig, (Join-Path $Assets 'missing.yaml'), $GkeKubeconfig) -join [IO.Path]::PathSeparator
            $contexts = (Get-MeshCluster).Context
            $contexts | Should -Be @('admin@onprem-user1', 'gke_demo-gke-project_us-central1_hybrid-gke')
        }
        finally { $env:KUBECONFIG = $saved }
    }

    It 'merges like kubectl: the first file that defines a name wins' {
        $dir = New-TestDirectory
        $second = Join-Path $dir 'second.yaml'
        (Get-Content -Raw $OnPremKubeconfig).Replace('https://127.0.0.1:7', 'https://127.0.0.1:8') | Set-Content $second
        (Get-MeshCluster -Kubeconfig $OnPremKubeconfig, $second -Context 'admin@onprem-user1').Server | Should -Be 'https://127.0.0.1:7'
        (Get-MeshCluster -Kubeconfig $second, $OnPremKubeconfig -Context 'admin@onprem-user1').Server | Should -Be 'https://127.0.0.1:8'
    }

    It 'selects contexts by name, positionally' {
        $cluster = Get-MeshCluster 'admin@onprem-user1' -Kubeconfig $GkeKubeconfig, $OnPremKubeconfig
        $cluster.Context | Should -Be 'admin@onprem-user1'
    }

    It 'binds a plain object by property name (Kubeconfig, Context), as a Pester mock or CSV row would' {
        $row = [pscustomobject]@{ Kubeconfig = $OnPremKubeconfig; Context = 'admin@onprem-user1' }
        ($row | Get-MeshCluster).Context | Should -Be 'admin@onprem-user1'
    }

    It 'lets -Platform override detection' {
        (Get-MeshCluster -Kubeconfig $OnPremKubeconfig -Platform Gke).Platform | Should -Be 'Gke'
    }

    It 'reports an unknown context with a stable id, the target and the fix, and goes on with the others' {
        $found = Get-MeshCluster -Kubeconfig $GkeKubeconfig -Context 'nope', 'gke_demo-gke-project_us-central1_hybrid-gke' -ErrorVariable err -ErrorAction SilentlyContinue
        $found.Context | Should -Be 'gke_demo-gke-project_us-central1_hybrid-gke'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'HybridMesh.ContextNotFound,HybridMesh.Commands.GetMeshClusterCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nope'
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $err[0].ErrorDetails.Message | Should -Match 'gke_demo-gke-project_us-central1_hybrid-gke'
    }

    It 'reports a missing kubeconfig file' {
        Get-MeshCluster -Kubeconfig (Join-Path $Assets 'no-such.yaml') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HybridMesh.KubeconfigNotFound,*'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'KUBECONFIG'
    }

    It 'reports a malformed kubeconfig file' {
        $dir = New-TestDirectory
        $bad = Join-Path $dir 'bad.yaml'
        Set-Content $bad "apiVersion: v1`nclusters: [ {name: x, cluster: {server: 'https://x'}`n  contexts: : :"
        Get-MeshCluster -Kubeconfig $bad -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HybridMesh.KubeconfigInvalid,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $bad
    }

    It 'resolves relative and ~ paths the PowerShell way' {
        Push-Location $Assets
        try { (Get-MeshCluster -Kubeconfig ./kubeconfig.onprem.yaml).Context | Should -Be 'admin@onprem-user1' }
        finally { Pop-Location }
    }

    It 'never writes the kubeconfig and never shows its credentials' {
        $before = (Get-FileHash $OnPremKubeconfig).Hash
        $text = Get-MeshCluster -Kubeconfig $OnPremKubeconfig | Format-List * | Out-String
        $json = Get-MeshCluster -Kubeconfig $OnPremKubeconfig | ConvertTo-Json -Depth 5
        (Get-FileHash $OnPremKubeconfig).Hash | Should -Be $before
        $text | Should -Not -Match 'sample-not-a-real-token'
        $json | Should -Not -Match 'sample-not-a-real-token'
        $text | Should -Match 'Token'
    }

    It 'takes the old -TimeoutSec as the request timeout until the next release, with a warning naming -RequestTimeoutSec' {
        $result = Get-MeshCluster -Kubeconfig $OnPremKubeconfig -Detailed -TimeoutSec 1 -WarningVariable warnings -WarningAction SilentlyContinue `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ApiServerUnreachable,HybridMesh.Commands.GetMeshClusterCommand'
        @($warnings) | Should -HaveCount 1
        "$($warnings[0])" | Should -Match 'Get-MeshCluster -TimeoutSec is the time one Kubernetes request may take and is now named -RequestTimeoutSec.*-RequestTimeoutSec 1;'
        $attribute = (Get-Command Get-MeshCluster).Parameters['TimeoutSec'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $attribute.DontShow | Should -BeTrue
    }

    It 'warns about nothing with -RequestTimeoutSec' {
        $null = Get-MeshCluster -Kubeconfig $OnPremKubeconfig -Detailed -RequestTimeoutSec 1 -WarningVariable warnings -WarningAction SilentlyContinue `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeExactly 'HybridMesh.ApiServerUnreachable,HybridMesh.Commands.GetMeshClusterCommand'
        @($warnings) | Should -HaveCount 0
    }

    It 'completes -Context from the kubeconfig only' {
        $line = "Get-MeshCluster -Kubeconfig '$OnPremKubeconfig' -Context adm"
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'admin@onprem-user1'
    }

    It 'has a default table view with the key columns' {
        $table = Get-MeshCluster -Kubeconfig $GkeKubeconfig | Format-Table | Out-String
        $table | Should -Match 'Cluster\s+Platform\s+Server'   # one short name per cluster; Context stays a property (issue 15.4)
        $table | Should -Match 'hybrid-gke\s+Gke'
    }

    It 'declares its output type' {
        (Get-Command Get-MeshCluster).OutputType.Type | Should -Contain ([HybridMesh.Models.MeshCluster])
    }
}
