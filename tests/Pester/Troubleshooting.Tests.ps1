# Every error id the Engine can raise must be explained in about_HybridMesh_Troubleshooting, so a user who sees
# 'HybridMesh.<Id>' can look it up. The ids are read from the source (src/HybridMesh.Engine/MeshErrors*.cs).

BeforeDiscovery {
    # An id is the string just before the MeshErrorCategory argument: new("Id", MeshErrorCategory.X, ...).
    $pattern = '"([A-Za-z][A-Za-z0-9]*)"\s*,\s*MeshErrorCategory\.'
    $sources = @(Get-ChildItem (Join-Path $env:HYBRIDMESH_REPO_ROOT 'src/HybridMesh.Engine') -Filter 'MeshErrors*.cs')
    $ids = @($sources | ForEach-Object { [regex]::Matches((Get-Content -Raw $_.FullName), $pattern) } |
            ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
}

Describe 'about_HybridMesh_Troubleshooting' {
    BeforeAll {
        $markdown = Get-Content -Raw (Join-Path $env:HYBRIDMESH_REPO_ROOT 'docs/en-US/about_HybridMesh_Troubleshooting.md')
        Import-Module (Join-Path $env:HYBRIDMESH_MODULE_PATH 'HybridMesh.psd1') -Force
        $shipped = Get-Help about_HybridMesh_Troubleshooting | Out-String
    }

    It 'finds the error ids in the Engine source' -ForEach @{ Ids = $ids } {
        # Guards the pattern above: if it stopped matching, every other test here would silently vanish.
        $Ids | Should -Contain 'KubeconfigNotFound'
        $Ids | Should -Contain 'ContextNotFound'
    }

    It 'has a row with cause and fix for HybridMesh.<_>' -ForEach $ids {
        $row = [regex]::Match($markdown, "(?m)^\|\s*HybridMesh\.$_\s*\|(?<cause>[^|\r\n]*)\|(?<fix>[^|\r\n]*)\|\s*$")
        $row.Success | Should -BeTrue -Because "HybridMesh.$_ needs a '| HybridMesh.$_ | cause | fix |' row"
        $row.Groups['cause'].Value.Trim() | Should -Not -BeNullOrEmpty
        $row.Groups['fix'].Value.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'ships HybridMesh.<_> in the help topic' -ForEach $ids {
        $shipped | Should -Match "(?m)^\s*HybridMesh\.$_\s*$"
    }
}
