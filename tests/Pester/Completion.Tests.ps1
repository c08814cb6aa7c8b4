# Issue 15, item 11: tab completion as a user at the prompt gets it (TabExpansion2), against the lab.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    Import-HybridMeshLab
    $script:Lab = Start-TestLab -Clusters 2
    $script:Kubeconfigs = @($script:Lab.Kubeconfig)
    $script:Contexts = @($script:Lab.Context)
    $script:Dir = New-TestDirectory

    function Complete([string] $line) {
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
    }
    $script:KubeconfigArgument = "'" + ($script:Kubeconfigs -join "', '") + "'"
    # The first completion in a session also loads the Engine and opens TLS connections; a user's second Tab is
    # the one the two-second budget is meant for, so warm up once.
    Complete "Remove-Mesh -Kubeconfig $script:KubeconfigArgument -Leaving " | Out-Null
}

AfterAll {
    Stop-TestLab $script:Lab
    Remove-Item -Recurse -Force -LiteralPath $script:Dir -ErrorAction SilentlyContinue
}

Describe 'Argument completers' -Tag Lab {
    It '-Context resolves a relative -Kubeconfig against the current location, not the process directory' {
        Copy-Item -LiteralPath $Kubeconfigs[0] -Destination (Join-Path $Dir 'here.yaml')
        Push-Location $Dir
        try {
            [IO.Path]::GetFullPath('here.yaml') | Should -Not -Be (Join-Path $Dir 'here.yaml')   # the process directory differs
            $found = Complete 'Get-MeshCluster -Kubeconfig ./here.yaml -Context '
        }
        finally { Pop-Location }
        $found.ListItemText | Should -Contain $Contexts[0]
    }

    It '-Leaving offers contexts and the Istio cluster names of clusters that answer' {
        $kc = "'" + ($Kubeconfigs -join "', '") + "'"
        $items = (Complete "Remove-Mesh -Kubeconfig $kc -Leaving ").ListItemText
        foreach ($context in $Contexts) { $items | Should -Contain $context }
        $istio = (Get-MeshCluster -Kubeconfig $Kubeconfigs -Detailed).Details.IstioClusterName
        foreach ($name in $istio) { $items | Should -Contain $name }
    }

    It '-ServerOverride offers a table keyed by a cluster name' {
        $kc = "'" + ($Kubeconfigs -join "', '") + "'"
        $found = Complete "New-Mesh -Kubeconfig $kc -ServerOverride "
        $found.ListItemText | Should -Contain $Contexts[1]
        $one = $found | Where-Object ListItemText -EQ $Contexts[1]
        $table = Invoke-Expression $one.CompletionText
        $table | Should -BeOfType hashtable
        @($table.Keys) | Should -Be @($Contexts[1])
    }

    It '-Revision offers the revisions installed on the clusters' {
        $kc = "'" + ($Kubeconfigs -join "', '") + "'"
        (Complete "Install-EastWestGateway -Kubeconfig $kc -Revision ").ListItemText | Should -Contain 'asm-1282-4'
    }

    It '-Revision offers nothing, quickly, when the clusters do not answer' {
        # The sample GKE kubeconfig names gke-gcloud-auth-plugin, which no test may run (tools/Invoke-PesterTests.ps1
        # puts a failing stand-in first on PATH). Here a fake plugin hands out a token, so the completer gets as far
        # as asking the cluster, whose address (127.0.0.1:9) refuses.
        $gke = $GkeKubeconfig
        if (-not $IsWindows) {
            $plugin = Join-Path $Dir 'token-plugin'
            Set-Content -LiteralPath $plugin -Value ("#!/bin/sh`necho '" +
                '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"fake-token"}}' + "'")
            chmod +x $plugin
            $gke = Join-Path $Dir 'gke-closed.yaml'
            (Get-Content -Raw $GkeKubeconfig).Replace('command: gke-gcloud-auth-plugin', "command: $plugin") | Set-Content -LiteralPath $gke
        }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $found = Complete "Install-EastWestGateway -Kubeconfig '$gke', '$OnPremKubeconfig' -Revision "
        $sw.Stop()
        @($found | Where-Object ResultType -EQ 'ParameterValue') | Should -BeNullOrEmpty
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'the lab functions complete -Cluster with the lab''s cluster names' {
        $global:HmCompletionLab = $Lab
        try { $items = (Complete 'Add-MeshLabFault $HmCompletionLab -Cluster ').ListItemText }
        finally { Remove-Variable -Scope Global -Name HmCompletionLab }
        @($items | Sort-Object) | Should -Be @($Lab.Clusters.name | Sort-Object)
    }
}
