<#
.SYNOPSIS
    Imports HybridMesh.dll (in a child pwsh started by the build) and writes what the manifest and the help
    generator need: exported cmdlets and aliases, and per cmdlet its parameter sets and parameters.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleDll,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
$module = Import-Module $ModuleDll -PassThru
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$commands = foreach ($name in ($module.ExportedCmdlets.Keys | Sort-Object)) {
    $command = Get-Command $name
    [ordered]@{
        Name          = $name
        OutputTypes   = @($command.OutputType | ForEach-Object Name)
        ParameterSets = @(foreach ($set in $command.ParameterSets) {
                [ordered]@{
                    Name       = $set.Name
                    IsDefault  = $set.IsDefault
                    Parameters = @(foreach ($p in $set.Parameters | Where-Object Name -notin $common) {
                            [ordered]@{
                                Name                            = $p.Name
                                Type                            = $p.ParameterType.Name
                                IsSwitch                        = $p.ParameterType -eq [switch]
                                Mandatory                       = $p.IsMandatory
                                Position                        = if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }
                                ValueFromPipeline               = $p.ValueFromPipeline
                                ValueFromPipelineByPropertyName = $p.ValueFromPipelineByPropertyName
                                Aliases                         = @($p.Aliases)
                            }
                        })
                }
            })
    }
}
[ordered]@{
    Cmdlets  = @($module.ExportedCmdlets.Keys | Sort-Object)
    Aliases  = @($module.ExportedAliases.Keys | Sort-Object)
    Commands = @($commands)
} | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $OutputPath
