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
# WhatIf and Confirm stay: they belong in a cmdlet's syntax and help. UseTransaction is obsolete.
$common = [System.Management.Automation.Cmdlet]::CommonParameters + 'UseTransaction'
$commands = foreach ($name in ($module.ExportedCmdlets.Keys | Sort-Object)) {
    $command = Get-Command $name
    [ordered]@{
        Name          = $name
        OutputTypes   = @($command.OutputType | ForEach-Object Name)
        ParameterSets = @(foreach ($set in $command.ParameterSets) {
                [ordered]@{
                    Name       = $set.Name
                    IsDefault  = $set.IsDefault
                    # Dynamic parameters (the Google parameter object) follow -WhatIf/-Confirm in PowerShell's list;
                    # the syntax keeps those two last, as for any cmdlet.
                    Parameters = @(foreach ($p in $set.Parameters | Where-Object Name -notin $common |
                                Sort-Object -Stable { $_.Name -in 'WhatIf', 'Confirm' }) {
                            # Help shows ClusterPlatform, not Nullable`1, and lists an enum's values.
                            $type = [Nullable]::GetUnderlyingType($p.ParameterType) ?? $p.ParameterType
                            $element = if ($type.IsArray) { $type.GetElementType() } else { $type }
                            [ordered]@{
                                Name                            = $p.Name
                                Type                            = $type.Name
                                EnumValues                      = @(if ($element.IsEnum) { [Enum]::GetNames($element) })
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
