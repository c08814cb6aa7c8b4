<#
.SYNOPSIS
    Writes a docs/en-US/<Cmdlet>.md skeleton for a compiled cmdlet (what platyPS's New-MarkdownHelp would do).
.DESCRIPTION
    Reads out/commands.json (written by a Build) and writes every heading the help generator expects, with one
    '### -Name' per parameter. The '{{ ... }}' placeholders fail tools/Build-Help.ps1 until they are replaced, so a
    skeleton can never ship as help. Existing files are left alone unless -Force is given.
.EXAMPLE
    ./tools/New-HelpMarkdown.ps1 -Name Install-EastWestGateway
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string[]] $Name,
    [string] $CommandMetadataPath = (Join-Path $PSScriptRoot '../out/commands.json'),
    [string] $DocsPath = (Join-Path $PSScriptRoot '../docs/en-US'),
    [switch] $Force
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Help/Test-CommandHelp.ps1')

$commands = @((Get-Content -Raw -LiteralPath $CommandMetadataPath | ConvertFrom-Json).Commands)
foreach ($commandName in $Name) {
    $command = $commands | Where-Object Name -eq $commandName
    if (-not $command) { throw "$commandName is not in $CommandMetadataPath; build the module first." }
    $path = Join-Path $DocsPath "$commandName.md"
    if ((Test-Path $path) -and -not $Force) { Write-Warning "$path exists; use -Force to overwrite it."; continue }

    $parameters = Get-CommandParameterName $command | Where-Object { $_ -notin 'WhatIf', 'Confirm' } | ForEach-Object {
        "### -$_`n`n{{ What -$_ does, its default, and whether it binds from the pipeline. }}`n"
    }
    $url = "https://github.com/hybridmesh/HybridMesh/blob/main/docs/en-US/$commandName.md"
    $text = @"
---
external help file: HybridMesh.dll-Help.xml
Module Name: HybridMesh
online version: $url
schema: 2.0.0
---

# $commandName

## SYNOPSIS

{{ One sentence: what the cmdlet does. }}

## SYNTAX

Generated from the compiled cmdlet when the help is built.

## DESCRIPTION

{{ What it does, which runbook step it replaces, what it never does, and its errors (HybridMesh.<Id>). }}

## EXAMPLES

### Example 1: {{ Title }}

``````powershell
{{ A runnable, pipeline-first example }}
``````

{{ One sentence on what happens. }}

### Example 2: {{ Title }}

``````powershell
{{ A second example }}
``````

{{ One sentence on what happens. }}

## PARAMETERS

$($parameters -join "`n")
## INPUTS

### {{ Type that binds from the pipeline }}

## OUTPUTS

$(@($command.OutputTypes) | ForEach-Object { "### $_`n`n{{ What each object holds. }}`n" })
## NOTES

## RELATED LINKS

[Online version]($url)
"@
    if ($PSCmdlet.ShouldProcess($path, 'Write help skeleton')) {
        Set-Content -LiteralPath $path -Value $text -Encoding utf8NoBOM
        Write-Host "Wrote $path; replace every {{ ... }} before building."
    }
}
