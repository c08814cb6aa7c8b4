# The drift check: help that no longer matches the compiled cmdlets fails the build instead of shipping wrong.
Set-StrictMode -Version Latest

# PowerShell documents these itself; a cmdlet's markdown may describe them but need not.
$script:HelpOptionalParameters = @('WhatIf', 'Confirm')

function Get-CommandParameterName($Command) {
    # Every parameter of every parameter set, in the order the cmdlet declares them.
    return @($Command.ParameterSets | ForEach-Object { $_.Parameters } | ForEach-Object Name | Select-Object -Unique)
}

function Test-CommandHelp {
    <#
    .SYNOPSIS
        Problems (strings) between one cmdlet's metadata and its markdown; none means the help may be built.
    #>
    param([Parameter(Mandatory)] $Command, $Help, [string] $ExpectedPath)

    $name = $Command.Name
    if (-not $Help) { return "${name}: no help file; write $ExpectedPath (synopsis, description, examples, every parameter)." }

    $file = Split-Path -Leaf $Help.Path
    # tools/New-HelpMarkdown.ps1 writes '{{ ... }}' placeholders; they must never reach Get-Help.
    $placeholders = @(Select-String -LiteralPath $Help.Path -Pattern '\{\{.*?\}\}' -AllMatches)
    if ($placeholders) { "${file}: $($placeholders.Count) line(s) still hold '{{ ... }}' placeholders, first on line $($placeholders[0].LineNumber)." }
    if ($Help.Name -ne $name) { "${file}: the first heading must be '# $name', found '$($Help.Name)'." }
    if (-not $Help.Synopsis) { "${file}: ## SYNOPSIS is empty." }
    if (-not @(Get-MarkdownText $Help.Description)) { "${file}: ## DESCRIPTION is empty." }
    if ($Help.Examples.Count -eq 0) { "${file}: ## EXAMPLES has no '### Example N: title' with a code block." }
    foreach ($example in $Help.Examples | Where-Object { -not $_.Code }) { "${file}: example '$($example.Title)' has no code block." }

    $actual = Get-CommandParameterName $Command
    foreach ($documented in $Help.Parameters.Keys | Where-Object { $_ -notin $actual }) {
        "${file}: documents -$documented, but $name has no such parameter (renamed or removed?)."
    }
    foreach ($missing in $actual | Where-Object { $_ -notin $Help.Parameters.Keys -and $_ -notin $script:HelpOptionalParameters }) {
        "${file}: -$missing of $name is not documented; add '### -$missing' under ## PARAMETERS."
    }
    foreach ($parameter in $Help.Parameters.Values | Where-Object { -not @(Get-MarkdownText $_.Description) }) {
        "${file}: -$($parameter.Name) has no description."
    }
}
