# Issue 10.13: every recommended action must send the user to something that exists. Each MeshErrors factory method
# is called (by reflection, with placeholder arguments) and every "Verb-Noun -Param ..." in its RecommendedAction is
# checked against Get-Command: the command must exist and take each parameter named after it.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
    # The Engine loads (in its own load context) on first use; an error for a missing file is enough.
    Get-MeshCluster -Kubeconfig (Join-Path ([IO.Path]::GetTempPath()) 'no-such-kubeconfig.yaml') -ErrorAction SilentlyContinue

    function New-Placeholder([type] $Type) {
        if ($Type -eq [string]) { return 'placeholder' }
        if ($Type -eq [Exception]) { return [Exception]::new('placeholder') }
        if ($Type -eq [TimeSpan]) { return [TimeSpan]::FromSeconds(5) }
        if ($Type.IsEnum) { return [Enum]::GetValues($Type)[0] }
        if ($Type.IsValueType) { return [Activator]::CreateInstance($Type) }
        if ($Type.IsGenericType -and $Type.GetGenericArguments().Count -eq 1) { return [string[]] @('one', 'two') }
        if ($Type.IsGenericType -and $Type.GetGenericArguments().Count -eq 2) {
            return [Collections.Generic.Dictionary[string, string]]::new()
        }
        return $null
    }

    # "Verb-Noun" followed by its parameters: "-Name" tokens, each optionally with one value.
    $script:CommandPattern = '(?<command>\b[A-Z][A-Za-z]+-[A-Z][A-Za-z]+\b)(?<params>(?:\s+-[A-Z][A-Za-z]+(?::\$\w+)?(?:\s+(?![-(])[^\s,;()]+)?)*)'
}

Describe 'Recommended actions' -Tag Unit {
    It 'name only cmdlets and parameters that exist' {
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'HybridMesh.Engine' } |
            Select-Object -First 1
        $engine | Should -Not -BeNullOrEmpty
        $methods = $engine.GetType('HybridMesh.Engine.Errors.MeshErrors').GetMethods([Reflection.BindingFlags]'Public,Static') |
            Where-Object { $_.ReturnType.Name -eq 'MeshException' }
        $problems = [Collections.Generic.List[string]]::new()
        $checked = 0
        foreach ($method in $methods) {
            $arguments = @($method.GetParameters() | ForEach-Object { New-Placeholder $_.ParameterType })
            try { $error0 = $method.Invoke($null, [object[]] $arguments) } catch { continue }
            $checked++
            foreach ($match in [regex]::Matches($error0.RecommendedAction, $CommandPattern)) {
                $name = $match.Groups['command'].Value
                $command = Get-Command $name -ErrorAction SilentlyContinue
                if (-not $command) { $problems.Add("$($error0.ErrorId): no command $name"); continue }
                foreach ($param in [regex]::Matches($match.Groups['params'].Value, '(?<=\s)-(?<p>[A-Z][A-Za-z]+)')) {
                    $p = $param.Groups['p'].Value
                    $known = $command.Parameters.Values | Where-Object { $_.Name -eq $p -or $_.Aliases -contains $p }
                    if (-not $known) { $problems.Add("$($error0.ErrorId): $name has no -$p") }
                }
            }
            # A parameter named without its cmdlet ("re-run with -Force", or after a nested expression) must exist on a
            # HybridMesh cmdlet or on a command the same action names.
            $named = @(Get-Command -Module HybridMesh) + @([regex]::Matches($error0.RecommendedAction, $CommandPattern) |
                    ForEach-Object { Get-Command $_.Groups['command'].Value -ErrorAction SilentlyContinue })
            $rest = [regex]::Replace($error0.RecommendedAction, $CommandPattern, '')
            foreach ($param in [regex]::Matches($rest, '(?<![\w-])-(?<p>[A-Z][A-Za-z]+)\b')) {
                $p = $param.Groups['p'].Value
                if (-not ($named | Where-Object { $_ -and $_.Parameters.ContainsKey($p) })) {
                    $problems.Add("$($error0.ErrorId): no HybridMesh cmdlet has -$p")
                }
            }
        }
        $checked | Should -BeGreaterThan 60 -Because 'nearly every factory method must be callable with placeholders'
        $problems | Should -BeNullOrEmpty
    }

    It 'ApiServerUnreachable names each cmdlet''s request timeout, not the load-balancer wait of Install-EastWestGateway' {
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'HybridMesh.Engine' } |
            Select-Object -First 1
        $action = $engine.GetType('HybridMesh.Engine.Errors.MeshErrors')::ApiServerUnreachable('ctx', 'https://10.0.0.1', 'timed out', $null).RecommendedAction
        $action | Should -Match ([regex]::Escape('-RequestTimeoutSec of Get-MeshCluster -Detailed, Get-MeshEnvironment, Get-MeshLink, New-Mesh, Remove-Mesh, Update-MeshLinkCredential, Test-MeshPrerequisite or Test-MeshConnectivity'))
        $action | Should -Not -Match '(?<![A-Za-z] )with -TimeoutSec'
    }
}
