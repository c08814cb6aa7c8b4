# Writes <Assembly>.dll-Help.xml (MAML, the format Get-Help reads for binary cmdlets) from the markdown help and the
# compiled cmdlets' metadata. An XmlWriter does every bit of escaping; no XML is put together as text.
Set-StrictMode -Version Latest

$script:Maml = @{
    Msh     = 'http://msh'
    Maml    = 'http://schemas.microsoft.com/maml/2004/10'
    Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    Dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

# Used when a cmdlet's markdown leaves out -WhatIf or -Confirm (the same sentences PowerShell's own help uses).
$script:StandardParameterText = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

function Write-MamlHelp {
    <# .SYNOPSIS Writes one MAML file for all cmdlets; each item pairs Command (metadata) with Help (markdown). #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Items)

    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($Path, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', $script:Maml.Msh)
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($item in $Items) { Write-MamlCommand $writer $item.Command $item.Help }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
}

function Write-MamlCommand([System.Xml.XmlWriter] $W, $Command, $Help) {
    $verb, $noun = $Command.Name -split '-', 2
    $W.WriteStartElement('command', 'command', $script:Maml.Command)
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') {
        $W.WriteAttributeString('xmlns', $prefix, $null, $script:Maml[$prefix])
    }

    $W.WriteStartElement('command', 'details', $script:Maml.Command)
    Write-MamlElement $W 'command' 'name' $Command.Name
    Write-MamlElement $W 'command' 'verb' $verb
    Write-MamlElement $W 'command' 'noun' $noun
    Write-MamlDescription $W @([pscustomobject]@{ Kind = 'Paragraph'; Text = $Help.Synopsis; Marker = $null })
    $W.WriteEndElement()

    Write-MamlDescription $W $Help.Description
    Write-MamlSyntax $W $Command
    Write-MamlParameterList $W $Command $Help
    Write-MamlTypeList $W 'inputTypes' 'inputType' (Get-HelpInputType $Command $Help)
    Write-MamlTypeList $W 'returnValues' 'returnValue' (Get-HelpOutputType $Command $Help)
    if (@(Get-MarkdownText $Help.Notes)) {
        $W.WriteStartElement('maml', 'alertSet', $script:Maml.Maml)
        $W.WriteStartElement('maml', 'alert', $script:Maml.Maml)
        Write-MamlPara $W $Help.Notes
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    Write-MamlExampleList $W $Help.Examples
    Write-MamlLinkList $W $Help.RelatedLinks
    $W.WriteEndElement()
}

function Write-MamlElement([System.Xml.XmlWriter] $W, [string] $Prefix, [string] $Name, [string] $Text) {
    $W.WriteElementString($Prefix, $Name, $script:Maml[$Prefix], $Text)
}

function Write-MamlPara([System.Xml.XmlWriter] $W, [object[]] $Blocks) {
    # One maml:para per paragraph, list item, code block or table row; Get-Help puts a blank line between paras.
    foreach ($block in $Blocks) {
        $texts = switch ($block.Kind) {
            'Paragraph' { ConvertFrom-InlineMarkdown $block.Text }
            'ListItem' { "$($block.Marker) $(ConvertFrom-InlineMarkdown $block.Text)" }
            'Code' { $block.Text }
            'Table' { $block.Rows | ForEach-Object { $_ -join ' | ' } }
        }
        foreach ($text in $texts) { Write-MamlElement $W 'maml' 'para' $text }
    }
}

function Write-MamlDescription([System.Xml.XmlWriter] $W, [object[]] $Blocks) {
    $W.WriteStartElement('maml', 'description', $script:Maml.Maml)
    Write-MamlPara $W $Blocks
    $W.WriteEndElement()
}

function Get-MamlParameterInfo($Command, [string] $Name) {
    <#
    .SYNOPSIS
        One parameter's attributes merged over the parameter sets it belongs to, as Get-Help -Parameter shows
        them: required only when mandatory in every set; pipeline input from any set.
    #>
    $perSet = @(foreach ($set in $Command.ParameterSets) {
            $set.Parameters | Where-Object Name -eq $Name | ForEach-Object { [pscustomobject]@{ Set = $set.Name; Parameter = $_ } }
        })
    $first = $perSet[0].Parameter
    $mandatorySets = @($perSet | Where-Object { $_.Parameter.Mandatory } | ForEach-Object Set)
    $pipeline = @(
        if ($perSet.Parameter | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }
        if ($perSet.Parameter | Where-Object ValueFromPipeline) { 'ByValue' }
    )
    [pscustomobject]@{
        Name          = $first.Name
        Type          = $first.Type
        IsSwitch      = [bool] $first.IsSwitch
        EnumValues    = @(if ($first.PSObject.Properties['EnumValues']) { $first.EnumValues })
        Required      = $mandatorySets.Count -eq $perSet.Count
        MandatoryIn   = @(if ($mandatorySets.Count -gt 0 -and $mandatorySets.Count -lt $perSet.Count) { $mandatorySets })
        Position      = $first.Position
        PipelineInput = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        Aliases       = if (@($first.Aliases).Count) { @($first.Aliases) -join ', ' } else { 'none' }
    }
}

function Write-MamlParameterElement([System.Xml.XmlWriter] $W, $Info, [bool] $Required, [object[]] $Description, $Doc, [bool] $InSyntax) {
    $W.WriteStartElement('command', 'parameter', $script:Maml.Command)
    $W.WriteAttributeString('required', "$Required".ToLowerInvariant())
    $W.WriteAttributeString('variableLength', "$($Info.Type.EndsWith('[]'))".ToLowerInvariant())
    $W.WriteAttributeString('globbing', "$([bool]($Doc -and $Doc.Globbing))".ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Info.PipelineInput)
    $W.WriteAttributeString('position', $Info.Position)
    $W.WriteAttributeString('aliases', $Info.Aliases)
    Write-MamlElement $W 'maml' 'name' $Info.Name
    Write-MamlDescription $W $Description
    if ($Info.EnumValues.Count -gt 0) {
        # Get-Help shows these as {A | B} in the syntax.
        $W.WriteStartElement('command', 'parameterValueGroup', $script:Maml.Command)
        foreach ($value in $Info.EnumValues) { Write-MamlParameterValue $W $value $false }
        $W.WriteEndElement()
    }
    # In the syntax a switch has no value ([-Force]); in the parameter list it shows as [<SwitchParameter>].
    if (-not $Info.IsSwitch) { Write-MamlParameterValue $W $Info.Type $true }
    elseif (-not $InSyntax) { Write-MamlParameterValue $W $Info.Type $false }
    $W.WriteStartElement('dev', 'type', $script:Maml.Dev)
    Write-MamlElement $W 'maml' 'name' $Info.Type
    Write-MamlElement $W 'maml' 'uri' ''
    $W.WriteEndElement()
    $default = if ($Doc -and $Doc.DefaultValue) { $Doc.DefaultValue } elseif ($Info.IsSwitch) { 'False' } else { 'None' }
    Write-MamlElement $W 'dev' 'defaultValue' $default
    $W.WriteEndElement()
}

function Write-MamlParameterValue([System.Xml.XmlWriter] $W, [string] $Text, [bool] $Required) {
    $W.WriteStartElement('command', 'parameterValue', $script:Maml.Command)
    $W.WriteAttributeString('required', "$Required".ToLowerInvariant())
    $W.WriteAttributeString('variableLength', 'false')
    $W.WriteString($Text)
    $W.WriteEndElement()
}

function Get-ParameterDescription($Info, $Doc) {
    $blocks = if ($Doc) { @($Doc.Description) } else { @([pscustomobject]@{ Kind = 'Paragraph'; Text = $script:StandardParameterText[$Info.Name]; Marker = $null }) }
    if ($Info.MandatoryIn.Count -gt 0) {
        $blocks += [pscustomobject]@{ Kind = 'Paragraph'; Text = "Required in parameter set(s): $($Info.MandatoryIn -join ', ')."; Marker = $null }
    }
    return $blocks
}

function Write-MamlSyntax([System.Xml.XmlWriter] $W, $Command) {
    # One syntax item per parameter set, positional parameters first (the order Get-Command -Syntax uses).
    $W.WriteStartElement('command', 'syntax', $script:Maml.Command)
    foreach ($set in $Command.ParameterSets) {
        $W.WriteStartElement('command', 'syntaxItem', $script:Maml.Command)
        Write-MamlElement $W 'maml' 'name' $Command.Name
        $positional = @($set.Parameters | Where-Object Position -ne 'named' | Sort-Object { [int] $_.Position })
        $named = @($set.Parameters | Where-Object Position -eq 'named')
        foreach ($parameter in $positional + $named) {
            $info = Get-MamlParameterInfo $Command $parameter.Name
            Write-MamlParameterElement $W $info ([bool] $parameter.Mandatory) @() $null $true
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()
}

function Write-MamlParameterList([System.Xml.XmlWriter] $W, $Command, $Help) {
    # In the markdown's order (the author's), then any undocumented WhatIf/Confirm.
    $names = @(Get-CommandParameterName $Command)
    $ordered = @($Help.Parameters.Keys | ForEach-Object { $key = $_; $names | Where-Object { $_ -eq $key } }) +
               @($names | Where-Object { $_ -notin $Help.Parameters.Keys })
    $W.WriteStartElement('command', 'parameters', $script:Maml.Command)
    foreach ($name in $ordered) {
        $info = Get-MamlParameterInfo $Command $name
        $doc = if ($Help.Parameters.Contains($name)) { $Help.Parameters[$name] } else { $null }
        Write-MamlParameterElement $W $info $info.Required (Get-ParameterDescription $info $doc) $doc $false
    }
    $W.WriteEndElement()
}

function Get-HelpInputType($Command, $Help) {
    if ($Help.Inputs.Count -gt 0) { return $Help.Inputs }
    # Nothing written: name the types the pipeline can bind by value.
    $Command.ParameterSets.Parameters | Where-Object ValueFromPipeline | Select-Object -ExpandProperty Type -Unique |
        ForEach-Object { [pscustomobject]@{ Type = $_; Description = @() } }
}

function Get-HelpOutputType($Command, $Help) {
    if ($Help.Outputs.Count -gt 0) { return $Help.Outputs }
    @($Command.OutputTypes) | ForEach-Object { [pscustomobject]@{ Type = $_; Description = @() } }
}

function Write-MamlTypeList([System.Xml.XmlWriter] $W, [string] $ListName, [string] $ItemName, [object[]] $Types) {
    $W.WriteStartElement('command', $ListName, $script:Maml.Command)
    foreach ($type in $Types) {
        $W.WriteStartElement('command', $ItemName, $script:Maml.Command)
        $W.WriteStartElement('dev', 'type', $script:Maml.Dev)
        Write-MamlElement $W 'maml' 'name' $type.Type
        $W.WriteEndElement()
        Write-MamlDescription $W $type.Description
        $W.WriteEndElement()
    }
    $W.WriteEndElement()
}

function Write-MamlExampleList([System.Xml.XmlWriter] $W, [object[]] $Examples) {
    $W.WriteStartElement('command', 'examples', $script:Maml.Command)
    foreach ($example in $Examples) {
        $W.WriteStartElement('command', 'example', $script:Maml.Command)
        Write-MamlElement $W 'maml' 'title' "--------- $($example.Title) ---------"
        Write-MamlElement $W 'dev' 'code' $example.Code
        $W.WriteStartElement('dev', 'remarks', $script:Maml.Dev)
        Write-MamlPara $W $example.Remarks
        # An empty last para keeps a blank line between this example and the next title in Get-Help's output.
        Write-MamlElement $W 'maml' 'para' ''
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()
}

function Write-MamlLinkList([System.Xml.XmlWriter] $W, [object[]] $Links) {
    $W.WriteStartElement('command', 'relatedLinks', $script:Maml.Command)
    foreach ($link in $Links) {
        $W.WriteStartElement('maml', 'navigationLink', $script:Maml.Maml)
        Write-MamlElement $W 'maml' 'linkText' $link.Text
        Write-MamlElement $W 'maml' 'uri' $link.Uri
        $W.WriteEndElement()
    }
    $W.WriteEndElement()
}
