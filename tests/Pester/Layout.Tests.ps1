# The built module's file layout against what the private load context resolves (docs/design/assemblies.md):
# deps/ is the Engine's publish output with HybridMesh.Engine.deps.json, and every file that manifest names is shipped
# where the runtime's AssemblyDependencyResolver will look on each OS (the Windows build of System.Management lives
# under runtimes/win/lib/<the package's framework>/, which an earlier hand-written probe path missed).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Deps = Join-Path $ModuleDirectory 'deps'
    $script:DepsJsonPath = Join-Path $script:Deps 'HybridMesh.Engine.deps.json'

    function Get-DepsAsset {
        # Every runtime file the Engine's deps.json names, as the path (relative to deps/) the resolver loads it from.
        $manifest = Get-Content -Raw $script:DepsJsonPath | ConvertFrom-Json -AsHashtable
        $target = $manifest.targets[$manifest.runtimeTarget.name]
        foreach ($library in $target.Keys) {
            $entry = $target[$library]
            foreach ($kind in 'runtime', 'native') {
                if (-not $entry.ContainsKey($kind)) { continue }
                foreach ($asset in $entry[$kind].Keys) {
                    [pscustomobject]@{ Library = $library; Rid = $null; Path = (Split-Path $asset -Leaf) }
                }
            }
            if ($entry.ContainsKey('runtimeTargets')) {
                foreach ($asset in $entry.runtimeTargets.Keys) {
                    [pscustomobject]@{ Library = $library; Rid = $entry.runtimeTargets[$asset].rid; Path = $asset }
                }
            }
        }
    }
}

Describe 'Built module layout' -Tag Unit {
    It 'ships HybridMesh.Engine.deps.json beside the Engine in deps/' {
        Join-Path $Deps 'HybridMesh.Engine.dll' | Should -Exist
        $DepsJsonPath | Should -Exist
    }

    It 'ships every file the deps.json names, at the path the resolver uses (Windows builds under runtimes/ too)' {
        $assets = @(Get-DepsAsset)
        $assets.Count | Should -BeGreaterThan 5
        $missing = @($assets | Where-Object { -not (Test-Path -LiteralPath (Join-Path $Deps $_.Path)) } | ForEach-Object Path)
        $missing | Should -BeNullOrEmpty
        # System.Management has an OS-specific Windows build; the manifest must name it, and it must be shipped.
        $windows = @($assets | Where-Object { $_.Library -like 'System.Management/*' -and $_.Rid -eq 'win' })
        $windows | Should -HaveCount 1
        Join-Path $Deps $windows[0].Path | Should -Exist
    }

    It 'ships nothing under deps/runtimes that the deps.json does not name' {
        $named = @(Get-DepsAsset | Where-Object Rid | ForEach-Object { $_.Path.Replace('\', '/') })
        $runtimes = Join-Path $Deps 'runtimes'
        $shipped = @(Get-ChildItem $runtimes -Recurse -File -ErrorAction SilentlyContinue |
            ForEach-Object { [IO.Path]::GetRelativePath($Deps, $_.FullName).Replace('\', '/') })
        $shipped | Sort-Object | Should -Be ($named | Sort-Object)
    }

    It 'resolves every package assembly from deps/ through the load context, and the shared ones from the default context' {
        # In this process: what the context resolves depends only on the module folder it was loaded from (the same
        # manifest every file imports), and a child pwsh would cost seconds of CPU (docs/design/test-suite.md).
        Import-Module $ModuleManifest -ErrorAction Stop
        Get-MeshCluster -Kubeconfig $OnPremKubeconfig | Out-Null
        $flags = [Reflection.BindingFlags]'NonPublic, Static, Instance'
        $initializer = (Get-Command Get-MeshCluster).ImplementingType.Assembly.GetType('HybridMesh.Loading.ModuleInitializer', $true)
        $context = $initializer.GetProperty('LoadContext', $flags).GetValue($null)
        $resolve = $context.GetType().GetMethod('ResolvePath', $flags)
        $lines = foreach ($name in 'KubernetesClient', 'YamlDotNet', 'Google.Apis.Auth', 'System.Management', 'HybridMesh.Models') {
            "$name=" + $resolve.Invoke($context, @([Reflection.AssemblyName]::new($name)))
        }
        $lines | Should -Contain "KubernetesClient=$(Join-Path $Deps 'KubernetesClient.dll')"
        $lines | Should -Contain "YamlDotNet=$(Join-Path $Deps 'YamlDotNet.dll')"
        $lines | Should -Contain "Google.Apis.Auth=$(Join-Path $Deps 'Google.Apis.Auth.dll')"
        $windows = Get-DepsAsset | Where-Object { $_.Library -like 'System.Management/*' -and $_.Rid -eq 'win' }
        $expected = if ($IsWindows) { Join-Path $Deps $windows.Path } else { Join-Path $Deps 'System.Management.dll' }
        $lines | Should -Contain "System.Management=$expected"
        $lines | Should -Contain 'HybridMesh.Models='
    }

    It 'ships the license and third-party notices in both modules' {
        foreach ($directory in $ModuleDirectory, $env:HYBRIDMESH_LAB_MODULE_PATH) {
            Join-Path $directory 'LICENSE' | Should -Exist
            Join-Path $directory 'THIRD-PARTY-NOTICES.md' | Should -Exist
        }
        Get-Content -Raw (Join-Path $ModuleDirectory 'LICENSE') | Should -Match 'MIT License'
    }

    It 'names every shipped package in THIRD-PARTY-NOTICES.md (tools/Update-ThirdPartyNotices.ps1 regenerates it)' {
        $notices = Get-Content -Raw (Join-Path $ModuleDirectory 'THIRD-PARTY-NOTICES.md')
        $manifest = Get-Content -Raw $DepsJsonPath | ConvertFrom-Json -AsHashtable
        $packages = @($manifest.libraries.Keys | Where-Object { $manifest.libraries[$_].type -eq 'package' })
        $packages.Count | Should -BeGreaterThan 3
        $unlisted = @($packages | Where-Object {
                $id, $version = $_ -split '/'
                $notices -notmatch "(?m)^\| $([regex]::Escape($id)) \| $([regex]::Escape($version)) \|"
            })
        $unlisted | Should -BeNullOrEmpty
    }
}
