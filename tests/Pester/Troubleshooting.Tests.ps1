# Every error id the Engine can raise must be explained in about_HybridMesh_Troubleshooting, so a user who sees
# 'HybridMesh.<Id>' can look it up. The ids come from the built Engine assembly: every public factory of
# HybridMesh.Engine.Errors.MeshErrors (one per id, in the Errors/MeshErrors*.cs partial files) is called with placeholder
# arguments, and the id of the MeshException it returns is read.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    # The Engine loads (into the module's private context) on the first cmdlet call.
    Get-MeshCluster -Kubeconfig $OnPremKubeconfig | Out-Null
    $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'HybridMesh.Engine' } |
        Select-Object -First 1
    $factories = @($engine.GetType('HybridMesh.Engine.Errors.MeshErrors', $true).GetMethods('Public, Static') |
            Where-Object { $_.ReturnType.FullName -eq 'HybridMesh.Models.MeshException' })

    function New-Placeholder([Type] $Type) {
        # A value of the parameter's type: text, zero, an empty collection, an exception. Returned with the unary
        # comma so that PowerShell does not unroll an empty collection into nothing.
        if ($Type -eq [string] -or $Type -eq [object]) { return , 'placeholder' }
        if ($Type.IsValueType) { return , [Activator]::CreateInstance($Type) }
        if ([Exception].IsAssignableFrom($Type)) { return , [Exception]::new('placeholder') }
        if ($Type.IsArray) { return , [Array]::CreateInstance($Type.GetElementType(), 0) }
        if ($Type.IsGenericType) {
            $arguments = $Type.GetGenericArguments()
            if ($arguments.Count -eq 1) { return , [Array]::CreateInstance($arguments[0], 0) }
            if ($arguments.Count -eq 2) { return , [Activator]::CreateInstance([System.Collections.Generic.Dictionary`2].MakeGenericType($arguments)) }
        }
        if ($Type -eq [Uri]) { return , [Uri] 'https://127.0.0.1/' }
        return , $null
    }

    $ids = [System.Collections.Generic.SortedSet[string]]::new()
    $failures = [System.Collections.Generic.List[string]]::new()
    foreach ($factory in $factories) {
        $arguments = [System.Collections.Generic.List[object]]::new()
        foreach ($parameter in $factory.GetParameters()) { $arguments.Add((New-Placeholder $parameter.ParameterType)) }
        try { $ids.Add($factory.Invoke($null, $arguments.ToArray()).ErrorId) | Out-Null }
        catch { $failures.Add("$($factory.Name): $($_.Exception.InnerException.Message)") }
    }
    $ids = @($ids)
}

Describe 'about_HybridMesh_Troubleshooting' {
    BeforeAll {
        $markdown = Get-Content -Raw (Join-Path $env:HYBRIDMESH_REPO_ROOT 'docs/en-US/about_HybridMesh_Troubleshooting.md')
        Import-Module (Join-Path $env:HYBRIDMESH_MODULE_PATH 'HybridMesh.psd1') -Force
        $shipped = Get-Help about_HybridMesh_Troubleshooting | Out-String
    }

    It 'reads an id from every MeshErrors factory of the built Engine' -ForEach @{ Ids = $ids; Failures = $failures; Count = $factories.Count } {
        # Guards the discovery above: if it stopped finding ids, every other test here would silently vanish.
        $Failures | Should -BeNullOrEmpty
        $Count | Should -BeGreaterThan 20
        $Ids | Should -Contain 'KubeconfigNotFound'
        $Ids | Should -Contain 'KubeForbidden'
    }

    # One It per check over every id, naming each id that fails: an It and a Should per id cost Pester ~10 ms each,
    # most of this file's CPU (docs/design/test-suite.md).
    It 'has a row with cause and fix for every id' -ForEach @{ Ids = $ids } {
        $problems = foreach ($id in $Ids) {
            $row = [regex]::Match($markdown, "(?m)^\|\s*HybridMesh\.$id\s*\|(?<cause>[^|\r\n]*)\|(?<fix>[^|\r\n]*)\|\s*$")
            if (-not $row.Success) { "HybridMesh.$id needs a '| HybridMesh.$id | cause | fix |' row"; continue }
            if (-not $row.Groups['cause'].Value.Trim()) { "HybridMesh.${id}: the cause is empty" }
            if (-not $row.Groups['fix'].Value.Trim()) { "HybridMesh.${id}: the fix is empty" }
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'ships every id in the help topic' -ForEach @{ Ids = $ids } {
        $missing = @($Ids | Where-Object { $shipped -notmatch "(?m)^\s*HybridMesh\.$_\s*$" } | ForEach-Object { "HybridMesh.$_" })
        $missing | Should -BeNullOrEmpty -Because 'every id must be in the shipped about_HybridMesh_Troubleshooting'
    }
}
