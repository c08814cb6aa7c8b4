# docs/en-US/about_<Topic>.md -> about_<Topic>.help.txt: the plain-text layout Get-Help expects for about topics.
Set-StrictMode -Version Latest

$script:AboutWidth = 80

function ConvertTo-AboutText {
    <#
    .SYNOPSIS
        Plain text of one about_ topic. It starts 'TOPIC / name / blank / SHORT DESCRIPTION / text' because
        Get-Help takes an about topic's synopsis from its fifth line.
    #>
    param([Parameter(Mandatory)] [string] $Path)

    $topic = [IO.Path]::GetFileNameWithoutExtension($Path)
    $lines = (Get-Content -Raw -LiteralPath $Path) -replace "`r`n?", "`n" -split "`n"
    if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
        $end = [array]::FindIndex($lines, 1, [Predicate[string]] { param($l) $l.Trim() -eq '---' })
        $lines = @($lines | Select-Object -Skip ($end + 1))
    }
    $sections = @(Split-MarkdownSection $lines 2 | Where-Object Title)
    $short = @($sections | Select-Object -First 1 | Where-Object Title -eq 'SHORT DESCRIPTION')
    if (-not $short -or -not @(Get-MarkdownText (ConvertTo-MarkdownBlock $short[0].Lines))) {
        throw "$(Split-Path -Leaf $Path): an about topic must start with a '## SHORT DESCRIPTION' paragraph (Get-Help shows it as the synopsis)."
    }

    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC')
    $out.Add("    $topic")
    foreach ($section in $sections) {
        $out.Add('')
        $out.Add($section.Title.ToUpperInvariant())
        if ($section.Title -eq 'SHORT DESCRIPTION') {
            # Never wrapped: Get-Help shows only this (fifth) line as the topic's synopsis.
            Get-MarkdownText (ConvertTo-MarkdownBlock $section.Lines) | ForEach-Object { $out.Add("    $_") }
            continue
        }
        foreach ($line in Format-AboutSection $section.Lines) { $out.Add($line) }
    }
    return ($out -join [Environment]::NewLine) + [Environment]::NewLine
}

function Format-AboutSection([string[]] $Lines) {
    # '###' headings become underlined subheadings; blocks are indented four spaces.
    foreach ($part in @(Split-MarkdownSection $Lines 3)) {
        if ($part.Title) {
            $title = ConvertFrom-InlineMarkdown $part.Title
            ''
            "    $title"
            "    $('-' * $title.Length)"
        }
        $blocks = ConvertTo-MarkdownBlock $part.Lines
        for ($i = 0; $i -lt $blocks.Count; $i++) {
            # The first block sits right under its heading, as in PowerShell's own about topics; items of one list
            # stay together; everything else is separated by a blank line.
            $tight = $i -gt 0 -and $blocks[$i].Kind -eq 'ListItem' -and $blocks[$i - 1].Kind -eq 'ListItem'
            if ($i -gt 0 -and -not $tight) { '' }
            Format-AboutBlock $blocks[$i]
        }
    }
}

function Format-AboutBlock($Block) {
    switch ($Block.Kind) {
        'Paragraph' { Format-WrappedText (ConvertFrom-InlineMarkdown $Block.Text) '    ' '    ' }
        'ListItem' {
            $lead = "    $($Block.Marker) "
            Format-WrappedText (ConvertFrom-InlineMarkdown $Block.Text) $lead (' ' * $lead.Length)
        }
        # Code is shown as written (never wrapped: a wrapped command would not run when pasted).
        'Code' { $Block.Text -split "`n" | ForEach-Object { if ($_) { "        $_" } else { '' } } }
        'Table' { Format-AboutTable $Block.Rows }
    }
}

function Format-AboutTable([object[]] $Rows) {
    <#
    .SYNOPSIS
        Tables rarely fit 80 columns as text, so each row becomes a record: the first cell as a heading line, then
        'Header: value' for the other cells, wrapped with a hanging indent.
    #>
    $header = $Rows[0]
    $width = ($header | Select-Object -Skip 1 | ForEach-Object Length | Measure-Object -Maximum).Maximum
    for ($r = 1; $r -lt $Rows.Count; $r++) {
        if ($r -gt 1) { '' }
        "    $($Rows[$r][0])"
        for ($c = 1; $c -lt $header.Count -and $c -lt $Rows[$r].Count; $c++) {
            if ($width -le 10) {
                # Short labels (Cause, Fix) sit beside their text, which stays aligned.
                $lead = '        ' + "$($header[$c]):".PadRight($width + 2)
                Format-WrappedText $Rows[$r][$c] $lead (' ' * $lead.Length)
            }
            else {
                # A long label would leave too narrow a column: the text goes below it instead.
                "        $($header[$c]):"
                Format-WrappedText $Rows[$r][$c] (' ' * 12) (' ' * 12)
            }
        }
    }
}

function Format-WrappedText([string] $Text, [string] $FirstIndent, [string] $Indent, [int] $Width = $script:AboutWidth) {
    # Greedy word wrap; a word longer than the line (a URL) gets a line of its own rather than being cut.
    $line = $FirstIndent
    $empty = $true
    foreach ($word in $Text.Split([char[]] " `t`n", [StringSplitOptions]::RemoveEmptyEntries)) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $Width) {
            $line
            $line = $Indent + $word
        }
        else {
            $line = if ($empty) { $line + $word } else { "$line $word" }
        }
        $empty = $false
    }
    if (-not $empty) { $line }
}
