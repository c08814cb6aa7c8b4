<#
.SYNOPSIS
    Builds the module's help from docs/en-US: HybridMesh.dll-Help.xml (MAML) for the cmdlets and
    about_<Topic>.help.txt for every about_<Topic>.md.
.DESCRIPTION
    platyPS cannot be installed here (no PowerShell Gallery), so the project carries this small generator. It reads
    platyPS-like markdown (docs/en-US/<Cmdlet>.md) for the prose and the compiled cmdlets' metadata
    (out/commands.json, written by tools/Export-CommandMetadata.ps1) for syntax and parameter attributes, so the two
    cannot disagree about types, positions or pipeline input.

    The build fails when help and cmdlets drift: a cmdlet without markdown, markdown documenting a parameter the
    cmdlet lacks or lacking one it has, or no synopsis, description or example. Markdown for a cmdlet that is not
    (yet) compiled only warns, so help can land before or after its cmdlet.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $CommandMetadataPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    # Named after the assembly that defines the cmdlets: that is where Get-Help looks for a binary cmdlet's help.
    [string] $HelpFileName = 'HybridMesh.dll-Help.xml'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
foreach ($part in 'MarkdownBlocks', 'Read-CommandHelp', 'Test-CommandHelp', 'Write-MamlHelp', 'ConvertTo-AboutText') {
    . (Join-Path $PSScriptRoot "Help/$part.ps1")
}

function Get-HelpSource([string] $Docs) {
    # Command help is every .md that is not an about topic; about topics are converted separately.
    $files = @(Get-ChildItem -LiteralPath $Docs -Filter '*.md' -File | Sort-Object Name)
    [pscustomobject]@{
        Commands = @($files | Where-Object Name -notlike 'about_*')
        Abouts   = @($files | Where-Object Name -like 'about_*')
    }
}

function Read-CommandMetadata([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { throw "Command metadata '$Path' does not exist; build the module first." }
    return @((Get-Content -Raw -LiteralPath $Path | ConvertFrom-Json).Commands)
}

function Join-CommandHelp([object[]] $Commands, [object[]] $Files, [string] $Docs) {
    <#
    .SYNOPSIS
        Pairs each cmdlet with its markdown and runs the drift check; throws once, listing every problem, so a
        single build run shows all that needs fixing.
    #>
    $helpByName = @{}
    foreach ($file in $Files) { $helpByName[$file.BaseName] = Read-CommandHelp $file.FullName }

    $problems = [System.Collections.Generic.List[string]]::new()
    $items = foreach ($command in $Commands) {
        $help = $helpByName[$command.Name]
        $found = @(Test-CommandHelp -Command $command -Help $help -ExpectedPath (Join-Path $Docs "$($command.Name).md"))
        $found | ForEach-Object { $problems.Add($_) }
        if ($found.Count -eq 0) { [pscustomobject]@{ Command = $command; Help = $help } }
    }
    foreach ($orphan in $helpByName.Keys | Where-Object { $_ -notin $Commands.Name } | Sort-Object) {
        Write-Warning "Help: $orphan.md documents a cmdlet that HybridMesh.dll does not export; it is left out of the MAML."
    }
    if ($problems.Count -gt 0) {
        throw "Help does not match the cmdlets ($($problems.Count) problem(s)):`n  " + ($problems -join "`n  ")
    }
    return @($items)
}

function Test-MamlFile([string] $Path, [string[]] $Expected) {
    # Read back what was written: well-formed, one command:command per cmdlet.
    $doc = [System.Xml.XmlDocument]::new()
    $doc.Load($Path)
    $ns = [System.Xml.XmlNamespaceManager]::new($doc.NameTable)
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $names = @($doc.SelectNodes('//command:command/command:details/command:name', $ns) | ForEach-Object InnerText)
    $missing = @($Expected | Where-Object { $_ -notin $names })
    if ($missing) { throw "MAML '$Path' lacks: $($missing -join ', ')." }
}

$sources = Get-HelpSource $DocsPath
$commands = Read-CommandMetadata $CommandMetadataPath
$items = Join-CommandHelp $commands $sources.Commands $DocsPath
New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null

$mamlPath = Join-Path $OutputPath $HelpFileName
Write-MamlHelp -Path $mamlPath -Items $items
Test-MamlFile $mamlPath @($commands.Name)

foreach ($about in $sources.Abouts) {
    $text = ConvertTo-AboutText $about.FullName
    Set-Content -LiteralPath (Join-Path $OutputPath "$($about.BaseName).help.txt") -Value $text -NoNewline -Encoding utf8NoBOM
}
Write-Host "   help: $($items.Count) cmdlet(s) in $HelpFileName, $($sources.Abouts.Count) about topic(s)"
