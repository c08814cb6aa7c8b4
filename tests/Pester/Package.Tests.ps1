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
}

# Installing is a child pwsh that imports PSResourceGet and both modules (seconds of CPU): one install serves both
# checks, the package's own (Install-PSResource, import by name) and the README's (HybridMesh.Lab from the same
# folder repository, and the installed lab starts).
Describe 'Installing from a local folder repository, as the README says' -Tag Integration {
    BeforeAll {
        $script:nupkg = $env:HYBRIDMESH_NUPKG
        $script:labNupkg = Join-Path (Split-Path $nupkg) ((Split-Path $nupkg -Leaf) -replace '^HybridMesh\.', 'HybridMesh.Lab.')
        $script:sandbox = New-TestDirectory
        $repo = Join-Path $sandbox 'out'
        New-Item -ItemType Directory -Path $repo | Out-Null
        Copy-Item $nupkg, $labNupkg $repo -ErrorAction SilentlyContinue
        $environment = New-SandboxEnvironment $sandbox
        # The README's commands: Register-PSResourceRepository ... -Name Local, Install-PSResource HybridMesh, HybridMesh.Lab.
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name Local -Uri '$repo' -Trusted
Install-PSResource HybridMesh, HybridMesh.Lab -Repository Local -Scope CurrentUser -TrustRepository -Quiet
Import-Module HybridMesh
`$module = Get-Module HybridMesh
"base=" + `$module.ModuleBase
"version=" + `$module.Version
(Get-Command -Module HybridMesh).Name | ForEach-Object { "command=" + `$_ }
"context=" + (Get-MeshCluster -Kubeconfig '$OnPremKubeconfig').Context
Import-Module HybridMesh.Lab
"lab=" + (Get-Module HybridMesh.Lab).ModuleBase
`$lab = Start-MeshLab -Clusters 1 -NoFleetEnvironment -Confirm:`$false
try { "labcontext=" + (Get-MeshCluster -Kubeconfig `$lab.Kubeconfig).Context } finally { Stop-MeshLab `$lab -Confirm:`$false }
"@
        $script:lines = if ((Test-Path $nupkg) -and (Test-Path $labNupkg)) { Invoke-ChildPwsh -Script $script -Environment $environment }
    }

    AfterAll { Remove-Item -Recurse -Force -LiteralPath $sandbox -ErrorAction SilentlyContinue }

    It 'installs from a local folder repository with Install-PSResource and imports by name' {
        $nupkg | Should -Exist
        ($lines | Where-Object { $_ -like 'base=*' }) | Should -BeLike "base=$sandbox*"
        $lines | Should -Contain "version=$(Split-Path $ModuleDirectory -Leaf)"
        $lines | Should -Contain 'command=Get-MeshCluster'
        $lines | Should -Contain 'context=admin@onprem-user1'
    }

    It 'installs HybridMesh.Lab from the same repository, and the installed lab starts' {
        $labNupkg | Should -Exist
        ($lines | Where-Object { $_ -like 'lab=*' }) | Should -BeLike "lab=$sandbox*"
        $lines | Should -Contain 'labcontext=gke_lab-gke-project_us-central1_cluster1'
    }
}
