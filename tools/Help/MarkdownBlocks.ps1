# Markdown reading shared by the MAML and about_ writers: headings into sections, section text into blocks
# (paragraphs, list items, code, tables), and inline markup into plain text. Only the markdown our docs use
# (platyPS-like) is understood; anything else is kept as plain text rather than guessed at.
Set-StrictMode -Version Latest

function Split-MarkdownSection {
    <#
    .SYNOPSIS
        Splits lines at headings of one level ('##' or '###'), ignoring '#' lines inside code fences
        (PowerShell comments in examples start with '#').
    .OUTPUTS
        One object per section (Title, Lines); the lines before the first heading come first with Title $null.
    #>
    param([string[]] $Lines, [int] $Level)

    $marker = ('#' * $Level) + ' '
    $title = $null
    $current = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($marker)) {
            [pscustomobject]@{ Title = $title; Lines = $current.ToArray() }
            $title = $line.Substring($marker.Length).Trim()
            $current = [System.Collections.Generic.List[string]]::new()
            continue
        }
        $current.Add($line)
    }
    [pscustomobject]@{ Title = $title; Lines = $current.ToArray() }
}

function ConvertTo-MarkdownBlock {
    <#
    .SYNOPSIS
        Turns the lines of one section into blocks. Kind is Paragraph, ListItem, Code or Table.
        Paragraph and ListItem carry Text (lines joined with spaces); ListItem also Marker ('-' or '1.');
        Code carries Text (lines as written) and Language; Table carries Rows (arrays of cell text, header first).
    #>
    param([string[]] $Lines)

    $blocks = [System.Collections.Generic.List[object]]::new()
    $pending = [System.Collections.Generic.List[string]]::new()
    $pendingKind = $null
    $marker = $null
    $flush = {
        if ($pending.Count -gt 0) {
            $text = $pending.ToArray().ForEach({ $_.Trim() }) -join ' '
            $blocks.Add([pscustomobject]@{ Kind = $pendingKind; Text = $text; Marker = $marker; Language = $null; Rows = $null })
            $pending.Clear()
        }
    }

    for ($i = 0; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        if ($line -match '^\s*(```|~~~)\s*([\w-]*)') {
            . $flush
            $fence = $Matches[1]
            $language = $Matches[2]
            $code = [System.Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $Lines.Count -and $Lines[$i] -notmatch "^\s*$fence\s*$"; $i++) { $code.Add($Lines[$i]) }
            $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = ($code -join "`n"); Marker = $null; Language = $language; Rows = $null })
            continue
        }
        if ($line -match '^\s*\|') {
            . $flush
            $rows = [System.Collections.Generic.List[object]]::new()
            for (; $i -lt $Lines.Count -and $Lines[$i] -match '^\s*\|'; $i++) {
                # The |---|---| line only separates the header; it carries no text.
                if ($Lines[$i] -notmatch '^\s*\|[\s:|-]+\|\s*$') { $rows.Add((Split-MarkdownTableRow $Lines[$i])) }
            }
            $i--
            $blocks.Add([pscustomobject]@{ Kind = 'Table'; Text = $null; Marker = $null; Language = $null; Rows = $rows.ToArray() })
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) { . $flush; continue }
        if ($line -match '^\s{0,3}([-*+]|\d+\.)\s+(.*)$') {
            . $flush
            $pendingKind = 'ListItem'
            $marker = if ($Matches[1] -match '\d') { $Matches[1] } else { '-' }
            $pending.Add($Matches[2])
            continue
        }
        if ($pending.Count -eq 0) { $pendingKind = 'Paragraph'; $marker = $null }
        $pending.Add($line)
    }
    . $flush
    return , $blocks.ToArray()
}

function Split-MarkdownTableRow([string] $Line) {
    # '\|' inside a cell is a literal pipe, not a column break.
    $cells = $Line.Trim() -replace '^\|', '' -replace '\|$', '' -split '(?<!\\)\|'
    return , @(foreach ($cell in $cells) { ConvertFrom-InlineMarkdown $cell.Replace('\|', '|').Trim() })
}

function ConvertFrom-InlineMarkdown {
    <#
    .SYNOPSIS
        Plain text from inline markdown: code spans lose their backticks, emphasis markers go, links become
        'text (url)', backslash escapes are resolved. Underscores stay: they are part of names (about_HybridMesh).
    #>
    param([AllowEmptyString()] [string] $Text)

    # Plain regex replacements (no script-block evaluators): this runs for every paragraph and table cell.
    $plain = [regex]::Replace($Text, '\[([^\]]+)\]\(\1\)', '$1')
    $plain = [regex]::Replace($plain, '\[([^\]]+)\]\(([^)\s]+)\)', '$1 ($2)')
    $plain = [regex]::Replace($plain, '<(https?://[^>\s]+)>', '$1')
    $plain = [regex]::Replace($plain, '``\s?(.+?)\s?``', '$1')
    $plain = [regex]::Replace($plain, '`([^`]+)`', '$1')
    $plain = [regex]::Replace($plain, '\*\*(?=\S)(.+?)(?<=\S)\*\*', '$1')
    $plain = [regex]::Replace($plain, '(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])', '$1')
    return [regex]::Replace($plain, '\\([\\`*_{}\[\]()#+\-.!<>|])', '$1')
}

function Get-MarkdownText {
    <# .SYNOPSIS Plain text of every Paragraph and ListItem block, one string per block. #>
    param([object[]] $Blocks)
    foreach ($block in $Blocks) {
        switch ($block.Kind) {
            'Paragraph' { ConvertFrom-InlineMarkdown $block.Text }
            'ListItem' { "$($block.Marker) $(ConvertFrom-InlineMarkdown $block.Text)" }
        }
    }
}
