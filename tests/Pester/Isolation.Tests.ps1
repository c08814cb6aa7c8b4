BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Assembly isolation' -Tag Unit {
    It 'works after another YamlDotNet major version was loaded first, and that version keeps working' {
        $old = $env:HYBRIDMESH_OLD_YAMLDOTNET
        $old | Should -Exist
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$old'
`$before = [YamlDotNet.Serialization.Deserializer]::new().Deserialize[hashtable]("answer: 42")
Import-Module '$ModuleManifest'
`$cluster = Get-MeshCluster -Kubeconfig '$OnPremKubeconfig'
`$after = [YamlDotNet.Serialization.Deserializer]::new().Deserialize[hashtable]("answer: 43")
"old-yaml-version=" + [YamlDotNet.Serialization.Deserializer].Assembly.GetName().Version.Major
"before=" + `$before['answer']
"after=" + `$after['answer']
"context=" + `$cluster.Context
"engine-yaml-version=" + ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'YamlDotNet' -and [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name -eq 'HybridMesh.Engine' }).GetName().Version.Major
"@
        $lines = Invoke-ChildPwsh -Script $script
        $lines | Should -Contain 'old-yaml-version=13'
        $lines | Should -Contain 'before=42'
        $lines | Should -Contain 'after=43'
        $lines | Should -Contain 'context=admin@onprem-user1'
        $lines | Should -Contain 'engine-yaml-version=18'
    }

    Context 'In a fresh pwsh that imports only the module' {
        BeforeAll {
            # One fresh process answers both tests below (a child pwsh costs seconds of CPU, docs/design/test-suite.md):
            # the model types as script literals right after the import (before any cmdlet ran), then the load
            # context of each assembly after the first cmdlet call.
            $script = @"
Import-Module '$ModuleManifest'
'literal=' + [HybridMesh.Models.MeshEnvironment].FullName
'literal=' + [HybridMesh.Models.MeshCluster].FullName
Get-MeshCluster -Kubeconfig '$OnPremKubeconfig' | Out-Null
foreach (`$a in [AppDomain]::CurrentDomain.GetAssemblies()) {
    `$n = `$a.GetName().Name
    if (`$n -in 'HybridMesh.Engine', 'KubernetesClient', 'YamlDotNet', 'HybridMesh.Models', 'HybridMesh') {
        "`$n=" + [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$a).Name
    }
}
"@
            $script:fresh = @(Invoke-ChildPwsh -Script $script | ForEach-Object { "$_" })
        }

        It 'loads the Engine and its packages in the private context, not the default one' {
            $fresh | Should -Contain 'HybridMesh.Engine=HybridMesh.Engine'
            $fresh | Should -Contain 'KubernetesClient=HybridMesh.Engine'
            $fresh | Should -Contain 'YamlDotNet=HybridMesh.Engine'
            $fresh | Should -Contain 'HybridMesh.Models=Default'
            $fresh | Should -Contain 'HybridMesh=Default'
            @($fresh | Where-Object { $_ -match '^(HybridMesh\.Engine|KubernetesClient|YamlDotNet)=(?!HybridMesh\.Engine$)' }) | Should -BeNullOrEmpty
        }

        It 'resolves model type literals in scripts' {
            $fresh | Should -Contain 'literal=HybridMesh.Models.MeshEnvironment'
            $fresh | Should -Contain 'literal=HybridMesh.Models.MeshCluster'
        }
    }

    It 'ships no third-party or Engine assembly beside HybridMesh.dll' {
        $root = Get-ChildItem $ModuleDirectory -Filter *.dll | ForEach-Object Name | Sort-Object
        $root | Should -Be @('HybridMesh.dll', 'HybridMesh.Models.dll')
        Join-Path $ModuleDirectory 'deps/HybridMesh.Engine.dll' | Should -Exist
        Join-Path $ModuleDirectory 'deps/KubernetesClient.dll' | Should -Exist
    }
}
