# Reads docs/en-US/<Cmdlet>.md (platyPS-like) into one object the drift check and the MAML writer share.
# Parameter attributes are not read from the markdown: they come from the compiled cmdlet (commands.json).
Set-StrictMode -Version Latest

function Read-CommandHelp {
    <#
    .OUTPUTS
        Name, Path, FrontMatter, Synopsis, Description (blocks), Examples (Title, Code, Remarks blocks),
        Parameters (ordered: name -> Description blocks, DefaultValue, Globbing), Inputs/Outputs (Type,
        Description blocks), Notes (blocks), RelatedLinks (Text, Uri).
    #>
    param([Parameter(Mandatory)] [string] $Path)

    $lines = (Get-Content -Raw -LiteralPath $Path) -replace "`r`n?", "`n" -split "`n"
    $frontMatter, $lines = Read-FrontMatter $lines
    $top = @(Split-MarkdownSection $lines 1)
    $name = if ($top.Count -gt 1) { $top[1].Title } else { $null }
    $sections = @{}
    foreach ($section in @(Split-MarkdownSection ($top | Select-Object -Skip 1 | ForEach-Object Lines) 2)) {
        if ($section.Title) { $sections[$section.Title.ToUpperInvariant()] = $section.Lines }
    }
    $section = { param($key) if ($sections.ContainsKey($key)) { , $sections[$key] } else { , @() } }

    [pscustomobject]@{
        Name         = $name
        Path         = $Path
        FrontMatter  = $frontMatter
        Synopsis     = (Get-MarkdownText (ConvertTo-MarkdownBlock (& $section 'SYNOPSIS'))) -join ' '
        Description  = ConvertTo-MarkdownBlock (& $section 'DESCRIPTION')
        Examples     = @(Read-HelpExample (& $section 'EXAMPLES'))
        Parameters   = Read-HelpParameter (& $section 'PARAMETERS')
        Inputs       = @(Read-HelpTypeList (& $section 'INPUTS'))
        Outputs      = @(Read-HelpTypeList (& $section 'OUTPUTS'))
        Notes        = ConvertTo-MarkdownBlock (& $section 'NOTES')
        RelatedLinks = @(Read-HelpLink (& $section 'RELATED LINKS') $frontMatter)
    }
}

function Read-FrontMatter([string[]] $Lines) {
    # '---' ... '---' at the top; 'key: value' lines (external help file, Module Name, online version, schema).
    $values = [ordered]@{}
    if ($Lines.Count -lt 2 -or $Lines[0].Trim() -ne '---') { return $values, $Lines }
    $end = [array]::FindIndex($Lines, 1, [Predicate[string]] { param($l) $l.Trim() -eq '---' })
    if ($end -lt 0) { return $values, $Lines }
    foreach ($line in $Lines[1..($end - 1)]) {
        if ($line -match '^\s*([^:#]+?)\s*:\s*(.*?)\s*$') { $values[$Matches[1]] = $Matches[2] }
    }
    return $values, @($Lines | Select-Object -Skip ($end + 1))
}

function Read-HelpExample([string[]] $Lines) {
    foreach ($example in @(Split-MarkdownSection $Lines 3 | Where-Object Title)) {
        $blocks = ConvertTo-MarkdownBlock $example.Lines
        [pscustomobject]@{
            Title   = ConvertFrom-InlineMarkdown $example.Title
            Code    = (@($blocks | Where-Object Kind -eq 'Code' | ForEach-Object Text) -join "`n`n").Trim()
            Remarks = @($blocks | Where-Object Kind -ne 'Code')
        }
    }
}

function Read-HelpParameter([string[]] $Lines) {
    $parameters = [ordered]@{}
    foreach ($parameter in @(Split-MarkdownSection $Lines 3 | Where-Object Title)) {
        # platyPS writes '### CommonParameters' with the standard sentence; PowerShell adds that text itself.
        if ($parameter.Title -notmatch '^-(\w+)\s*$') { continue }
        $blocks = ConvertTo-MarkdownBlock $parameter.Lines
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' }) | Select-Object -First 1
        $parameters[$Matches[1]] = [pscustomobject]@{
            Name         = $Matches[1]
            Description  = @($blocks | Where-Object { $_ -ne $yaml })
            DefaultValue = Get-YamlValue $yaml 'Default value'
            Globbing     = (Get-YamlValue $yaml 'Accept wildcard characters') -eq 'True'
        }
    }
    return $parameters
}

function Get-YamlValue($Block, [string] $Key) {
    # Only the two attributes a cmdlet cannot report about itself are taken from the optional yaml block.
    if (-not $Block) { return $null }
    foreach ($line in $Block.Text -split "`n") {
        if ($line -match "^\s*$([regex]::Escape($Key))\s*:\s*(.*?)\s*$" -and $Matches[1]) { return $Matches[1] }
    }
    return $null
}

function Read-HelpTypeList([string[]] $Lines) {
    # '### Type' followed by its description; a bare 'None.' paragraph means no type.
    $parts = @(Split-MarkdownSection $Lines 3)
    foreach ($part in $parts | Where-Object Title) {
        [pscustomobject]@{ Type = ConvertFrom-InlineMarkdown $part.Title; Description = ConvertTo-MarkdownBlock $part.Lines }
    }
    if ($parts.Count -eq 1) {
        $text = (Get-MarkdownText (ConvertTo-MarkdownBlock $parts[0].Lines)) -join ' '
        if ($text) { [pscustomobject]@{ Type = $text.TrimEnd('.'); Description = @() } }
    }
}

function Read-HelpLink([string[]] $Lines, $FrontMatter) {
    $links = [System.Collections.Generic.List[object]]::new()
    foreach ($line in $Lines | Where-Object { $_.Trim() }) {
        $text = $line.Trim() -replace '^[-*]\s+', ''
        if ($text -match '^\[([^\]]*)\]\(([^)\s]*)\)$') {
            $links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] })
        }
        elseif ($text -match '^<?(https?://[^>\s]+)>?$') {
            $links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[1] })
        }
        else {
            $links.Add([pscustomobject]@{ Text = (ConvertFrom-InlineMarkdown $text); Uri = '' })
        }
    }
    # platyPS convention: the front matter's 'online version' is the first link (what Get-Help -Online opens).
    $online = if ($FrontMatter.Contains('online version')) { $FrontMatter['online version'] } else { $null }
    if ($online -and -not ($links | Where-Object Uri -eq $online)) {
        $links.Insert(0, [pscustomobject]@{ Text = 'Online Version:'; Uri = $online })
    }
    return $links.ToArray()
}
