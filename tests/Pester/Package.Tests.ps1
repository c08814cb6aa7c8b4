BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Packaged module' -Tag Unit {
    It 'has a manifest with explicit exports, PowerShell 7.4 and the Core edition' {
        $manifest = Import-PowerShellDataFile $ModuleManifest
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.CmdletsToExport | Should -Contain 'Get-MeshCluster'
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.FunctionsToExport | Should -HaveCount 0
        $manifest.RequiredAssemblies | Should -HaveCount 0
        $manifest.ModuleVersion | Should -Be (Split-Path $ModuleDirectory -Leaf)
    }

    It 'installs from a local folder repository with Install-PSResource and imports by name' {
        $nupkg = $env:HYBRIDMESH_NUPKG
        $nupkg | Should -Exist
        $sandbox = New-TestDirectory
        $repo = Join-Path $sandbox 'repo'
        New-Item -ItemType Directory -Path $repo | Out-Null
        Copy-Item $nupkg $repo
        $environment = New-SandboxEnvironment $sandbox
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name HybridMeshLocal -Uri '$repo' -Trusted
Install-PSResource -Name HybridMesh -Repository HybridMeshLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module HybridMesh
`$module = Get-Module HybridMesh
"base=" + `$module.ModuleBase
"version=" + `$module.Version
(Get-Command -Module HybridMesh).Name | ForEach-Object { "command=" + `$_ }
"context=" + (Get-MeshCluster -Kubeconfig '$OnPremKubeconfig').Context
"@
        $lines = Invoke-ChildPwsh -Script $script -Environment $environment
        ($lines | Where-Object { $_ -like 'base=*' }) | Should -BeLike "base=$sandbox*"
        $lines | Should -Contain "version=$(Split-Path $ModuleDirectory -Leaf)"
        $lines | Should -Contain 'command=Get-MeshCluster'
        $lines | Should -Contain 'context=admin@onprem-user1'
    }
}
