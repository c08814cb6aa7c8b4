# Issue 10.10: $null or an object that names no cluster, piped into any cmdlet that acts on clusters, is the
# HybridMesh error PipelineInputEmpty (non-terminating, with the fix), never a NullReferenceException or
# PowerShell's InputObjectNotBound. No lab is needed: nothing may be contacted.
BeforeDiscovery {
    $script:cases = foreach ($name in 'Get-MeshEnvironment', 'Install-EastWestGateway', 'Publish-MeshService', 'New-Mesh',
        'Test-MeshConnectivity', 'Remove-Mesh', 'Unpublish-MeshService', 'Uninstall-EastWestGateway') {
        foreach ($kind in 'null', 'empty object', 'empty hashtable', 'unrelated object') {
            @{ Name = $name; Kind = $kind }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-HybridMesh
}

Describe 'Empty pipeline input' -Tag Unit {
    It '<Name> reports <Kind> as PipelineInputEmpty' -ForEach $cases {
        $inputObject = switch ($Kind) {
            'null' { $null }
            'empty object' { [pscustomobject]@{} }
            'empty hashtable' { @{} }
            'unrelated object' { [pscustomobject]@{ Name = 'x'; Size = 3 } }
        }
        $command = Get-Command $Name
        $extra = if ($Name -eq 'Get-MeshEnvironment') { @{ FleetProjectId = 'my-fleet-project' } } else { @{} }
        if ($command.Parameters.ContainsKey('Confirm')) { $extra.Confirm = $false }

        $output = $inputObject | & $Name @extra -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly "HybridMesh.PipelineInputEmpty,$($command.ImplementingType.FullName)"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'Get-MeshCluster'
    }
}
