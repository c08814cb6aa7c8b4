# Help is tested like code: what a user gets from Get-Help for the packaged module, and the generator's drift check.
# Runs against the built module ($env:HYBRIDMESH_MODULE_PATH = out/Modules/HybridMesh/<version>).

BeforeDiscovery {
    $module = Import-Module (Join-Path $env:HYBRIDMESH_MODULE_PATH 'HybridMesh.psd1') -Force -PassThru
    # PowerShell documents these itself; a cmdlet's own help need not.
    $skip = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $commands = @(foreach ($command in $module.ExportedCmdlets.Values) {
            @{
                Name       = $command.Name
                Parameters = @($command.Parameters.Values | Where-Object Name -notin $skip | ForEach-Object {
                        @{ Command = $command.Name; Parameter = $_.Name }
                    })
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $env:HYBRIDMESH_MODULE_PATH 'HybridMesh.psd1') -Force
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
        # Get-Help -Parameter searches and parses the help again on every call (~60 ms each, two calls for each of
        # ~250 parameters): the parameters of the one full help read above are the same MAML entries it returns.
        $parameterHelps = @{}
        foreach ($entry in @($help.Parameters.Parameter)) { $parameterHelps[$entry.Name] = $entry }
    }

    It 'is read from the module''s MAML file' {
        Split-Path -Leaf $command.HelpFile | Should -Be 'HybridMesh.dll-Help.xml'
        Join-Path $command.Module.ModuleBase 'en-US/HybridMesh.dll-Help.xml' | Should -Exist
    }

    It 'is written help, not generated from the syntax' {
        # Without a help file, Get-Help makes the synopsis from the syntax and has no description.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike '*`[<CommonParameters>`]*'
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))(\s+\[|\s*$)"
    }

    It 'has a description' {
        ($help.Description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and a sentence on what happens' {
        $examples = @($help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.Code.Trim() | Should -Not -BeNullOrEmpty -Because $example.Title
            ($example.Remarks.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because $example.Title
        }
    }

    It 'names the online help as its first related link' {
        # Get-Help -Online opens the first link that has a URI.
        $first = @($help.RelatedLinks.NavigationLink)[0]
        $first.Uri | Should -Match '^https://\S+$'
    }

    It 'shows a syntax for every parameter set' {
        @($help.Syntax.SyntaxItem).Count | Should -Be @($command.ParameterSets).Count
    }

    It 'describes every parameter, with its real pipeline input and type' {
        # One pass over the parameters that names every one that is wrong: an It and a Should per parameter cost
        # Pester ~10 ms each, most of this file's CPU for ~250 parameters (docs/design/test-suite.md).
        # The generator takes pipeline input and type from the compiled cmdlet; this proves they reach Get-Help.
        @($Parameters).Count | Should -BeGreaterThan 0
        $problems = foreach ($parameter in @($Parameters.Parameter)) {
            $parameterHelp = $parameterHelps[$parameter]
            if (-not $parameterHelp) { "-${parameter}: Get-Help $Name -Full does not list it"; continue }
            if (-not ($parameterHelp.Description.Text -join ' ').Trim()) { "-${parameter}: no description" }
            $metadata = $command.Parameters[$parameter]
            $attributes = @($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
            $byValue = [bool] ($attributes | Where-Object ValueFromPipeline)
            $byName = [bool] ($attributes | Where-Object ValueFromPipelineByPropertyName)
            if (($parameterHelp.PipelineInput -like '*ByValue*') -ne $byValue) {
                "-${parameter}: help says pipeline input '$($parameterHelp.PipelineInput)', the cmdlet takes it by value: $byValue"
            }
            if (($parameterHelp.PipelineInput -like '*ByPropertyName*') -ne $byName) {
                "-${parameter}: help says pipeline input '$($parameterHelp.PipelineInput)', the cmdlet takes it by property name: $byName"
            }
            $type = [Nullable]::GetUnderlyingType($metadata.ParameterType) ?? $metadata.ParameterType
            if ($parameterHelp.Type.Name -ne $type.Name) { "-${parameter}: help says type '$($parameterHelp.Type.Name)', the cmdlet's is '$($type.Name)'" }
        }
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'About topics' {
    It 'Get-Help finds <_> with its short description' -ForEach 'about_HybridMesh', 'about_HybridMesh_Troubleshooting' {
        $topicName = $_
        $topic = Get-Help $topicName | Out-String
        $topic | Should -Match "(?m)^TOPIC\s+$topicName\s"
        $listed = Get-Help "$topicName*" | Where-Object Name -eq $topicName
        $listed.Synopsis | Should -Not -BeNullOrEmpty
        $listed.Synopsis | Should -Not -Match 'SHORT DESCRIPTION'
    }

    It 'about_HybridMesh explains the pipeline, kubeconfig rules, credentials and mocking' {
        $text = Get-Help about_HybridMesh | Out-String
        foreach ($term in 'Get-MeshCluster', 'Get-MeshEnvironment', 'Install-EastWestGateway', 'Publish-MeshService',
            'New-Mesh', 'Test-MeshConnectivity', 'KUBECONFIG', 'gke-gcloud-auth-plugin', 'GCE_METADATA_HOST',
            'HTTPS_PROXY', 'AccessToken', 'AssemblyLoadContext', 'Mock') {
            $text | Should -BeLike "*$term*" -Because "about_HybridMesh should cover $term"
        }
    }

    It '<_> keeps prose within 80 columns' -ForEach 'about_HybridMesh', 'about_HybridMesh_Troubleshooting' {
        # Code lines (indented 8) are never wrapped, and a single word such as a URL cannot be.
        $path = Join-Path $env:HYBRIDMESH_MODULE_PATH "en-US/$_.help.txt"
        $wide = Get-Content $path | Where-Object { $_.Length -gt 80 -and $_ -notmatch '^ {8}' -and $_.Trim() -match '\s' }
        $wide | Should -BeNullOrEmpty
    }
}

Describe 'Build-Help.ps1' {
    BeforeAll {
        $script:generator = Join-Path $env:HYBRIDMESH_REPO_ROOT 'tools/Build-Help.ps1'

        # A fake cmdlet's metadata, shaped as tools/Export-CommandMetadata.ps1 writes it.
        function New-TestMetadata([string] $Path, [string[]] $Parameters = @('Name'), [switch] $ShouldProcess) {
            $list = @(foreach ($name in $Parameters) {
                    [ordered]@{ Name = $name; Type = 'String'; EnumValues = @(); IsSwitch = $false; Mandatory = $true; Position = '0'
                        ValueFromPipeline = $true; ValueFromPipelineByPropertyName = $false; Aliases = @('N')
                    }
                })
            if ($ShouldProcess) {
                foreach ($name in 'WhatIf', 'Confirm') {
                    $list += [ordered]@{ Name = $name; Type = 'SwitchParameter'; EnumValues = @(); IsSwitch = $true; Mandatory = $false
                        Position = 'named'; ValueFromPipeline = $false; ValueFromPipelineByPropertyName = $false; Aliases = @()
                    }
                }
            }
            $command = [ordered]@{ Name = 'Set-Thing'; OutputTypes = @('System.String')
                ParameterSets = @([ordered]@{ Name = '__AllParameterSets'; IsDefault = $false; Parameters = $list })
            }
            [ordered]@{ Cmdlets = @('Set-Thing'); Aliases = @(); Commands = @($command) } | ConvertTo-Json -Depth 8 | Set-Content $Path
        }

        function New-TestMarkdown([string] $Path, [string[]] $Parameters = @('Name'), [string] $Synopsis = 'Sets a thing.',
            [switch] $NoExample) {
            $parameterText = ($Parameters | ForEach-Object { "### -$_`n`nThe $_ to use.`n" }) -join "`n"
            $example = if ($NoExample) { '' } else { "### Example 1: Set one`n`n``````powershell`n'a' | Set-Thing`n```````n`nSets a.`n" }
            @"
---
online version: https://example.test/Set-Thing
---

# Set-Thing

## SYNOPSIS

$Synopsis

## DESCRIPTION

Sets things & more.

## EXAMPLES

$example
## PARAMETERS

$parameterText
## RELATED LINKS

[Docs](https://example.test/Set-Thing)
"@ | Set-Content $Path
        }

        function Invoke-TestGenerator {
            # Write-Host progress (stream 6) is noise here; warnings (stream 3) are left for tests to capture.
            & $script:generator -DocsPath $script:docs -CommandMetadataPath $script:metadata -OutputPath $script:output 6>$null
        }
    }

    BeforeEach {
        $script:docs = Join-Path $TestDrive "docs-$(Get-Random)"
        $script:output = Join-Path $TestDrive "out-$(Get-Random)"
        $script:metadata = Join-Path $TestDrive "commands-$(Get-Random).json"
        New-Item -ItemType Directory $script:docs | Out-Null
    }

    It 'fails when a cmdlet has no markdown' {
        New-TestMetadata $script:metadata
        { Invoke-TestGenerator } | Should -Throw '*Set-Thing: no help file*'
    }

    It 'fails when the markdown documents a parameter the cmdlet lacks' {
        New-TestMetadata $script:metadata -Parameters Name
        New-TestMarkdown (Join-Path $script:docs 'Set-Thing.md') -Parameters Name, Gone
        { Invoke-TestGenerator } | Should -Throw '*documents -Gone*no such parameter*'
    }

    It 'fails when the markdown lacks a parameter the cmdlet has' {
        New-TestMetadata $script:metadata -Parameters Name, Force
        New-TestMarkdown (Join-Path $script:docs 'Set-Thing.md') -Parameters Name
        { Invoke-TestGenerator } | Should -Throw '*-Force of Set-Thing is not documented*'
    }

    It 'fails when there is no synopsis or no example' {
        New-TestMetadata $script:metadata
        New-TestMarkdown (Join-Path $script:docs 'Set-Thing.md') -Synopsis '' -NoExample
        $failure = { Invoke-TestGenerator } | Should -Throw -PassThru
        $failure.Exception.Message | Should -BeLike '*SYNOPSIS is empty*'
        $failure.Exception.Message | Should -BeLike '*EXAMPLES has no*'
    }

    It 'only warns about markdown for a cmdlet that is not compiled' {
        New-TestMetadata $script:metadata
        New-TestMarkdown (Join-Path $script:docs 'Set-Thing.md')
        New-TestMarkdown (Join-Path $script:docs 'Get-Future.md')
        $warnings = @(Invoke-TestGenerator 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike '*Get-Future.md*'
        [xml] $maml = Get-Content -Raw (Join-Path $script:output 'HybridMesh.dll-Help.xml')
        @($maml.helpItems.command.details.name) | Should -Be @('Set-Thing')
    }

    It 'escapes XML and supplies -WhatIf and -Confirm when the markdown leaves them out' {
        New-TestMetadata $script:metadata -ShouldProcess
        New-TestMarkdown (Join-Path $script:docs 'Set-Thing.md') -Synopsis 'Sets <things> & "more".'
        Invoke-TestGenerator
        [xml] $maml = Get-Content -Raw (Join-Path $script:output 'HybridMesh.dll-Help.xml')
        $maml.helpItems.command.details.description.para | Should -Be 'Sets <things> & "more".'
        $whatIf = $maml.helpItems.command.parameters.parameter | Where-Object name -eq 'WhatIf'
        $whatIf.description.para | Should -BeLike 'Shows what would happen*'
        # The front matter's online version and the same link in RELATED LINKS make one link, not two.
        @($maml.helpItems.command.relatedLinks.navigationLink).uri | Should -Be @('https://example.test/Set-Thing')
    }

    It 'rejects a New-HelpMarkdown skeleton until its placeholders are filled in' {
        New-TestMetadata $script:metadata -Parameters Name, Force
        $skeleton = Join-Path $env:HYBRIDMESH_REPO_ROOT 'tools/New-HelpMarkdown.ps1'
        & $skeleton -Name Set-Thing -CommandMetadataPath $script:metadata -DocsPath $script:docs 6>$null
        $markdown = Get-Content -Raw (Join-Path $script:docs 'Set-Thing.md')
        $markdown | Should -Match '(?m)^### -Name$'
        $markdown | Should -Match '(?m)^### -Force$'
        { Invoke-TestGenerator } | Should -Throw "*Set-Thing.md: * line(s) still hold '{{ ... }}' placeholders*"
    }

    It 'writes MAML that Get-Help renders' {
        New-TestMetadata $script:metadata -ShouldProcess
        New-TestMarkdown (Join-Path $script:docs 'Set-Thing.md')
        Invoke-TestGenerator
        # A function can point Get-Help at a MAML file, which shows the generated file exactly as a cmdlet's would be.
        $maml = Join-Path $script:output 'HybridMesh.dll-Help.xml'
        $definition = "function Set-Thing {`n# .ExternalHelp $maml`n[CmdletBinding(SupportsShouldProcess)]`n" +
                      'param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [Alias("N")] [string] $Name) }'
        . ([scriptblock]::Create($definition))

        $help = Get-Help Set-Thing -Full
        $help.Synopsis | Should -Be 'Sets a thing.'
        ($help.Syntax | Out-String) | Should -Match '\[-Name\] <String> \[-WhatIf\] \[-Confirm\]'
        @($help.Examples.Example)[0].Code | Should -Be "'a' | Set-Thing"
        $name = Get-Help Set-Thing -Parameter Name
        $name.Description.Text | Should -Be 'The Name to use.'
        $name.PipelineInput | Should -Be 'True (ByValue)'
        $name.Aliases | Should -Be 'N'
        (Get-Help Set-Thing -Parameter WhatIf).Description.Text | Should -BeLike 'Shows what would happen*'
    }
}

Describe 'Examples that need no cluster run as written' {
    BeforeDiscovery {
        # Get-MeshCluster only reads files, so its examples can run here against sample kubeconfigs. Examples that
        # call a later step, or -Detailed, need clusters or Google Cloud and are exercised by those cmdlets' own
        # tests against the lab (never against the sample kubeconfigs' servers).
        $offline = @((Get-Help Get-MeshCluster).Examples.Example | ForEach-Object {
                @{ Title = $_.Title.Trim(' -'); Code = $_.Code }
            } | Where-Object { $_.Code -notmatch 'Get-MeshEnvironment|Install-EastWestGateway|Publish-MeshService|New-Mesh|Test-MeshConnectivity|-Detailed' })
    }

    BeforeAll {
        # Sample kubeconfigs with the context names the examples use.
        $sandbox = Join-Path $TestDrive 'examples'
        New-Item -ItemType Directory $sandbox | Out-Null
        $assets = Join-Path $env:HYBRIDMESH_REPO_ROOT 'tests/assets'
        (Get-Content -Raw "$assets/kubeconfig.gke.yaml").Replace('gke_demo-gke-project_us-central1_hybrid-gke', 'gke_my-project_us-central1_prod') |
            Set-Content "$sandbox/gke.yaml"
        Copy-Item "$assets/kubeconfig.onprem.yaml" "$sandbox/onprem.yaml"
        (Get-Content -Raw "$assets/kubeconfig.onprem.yaml").Replace('admin@onprem-user1', 'prod-gke') | Set-Content "$sandbox/prod.yaml"
        "Kubeconfig,Context`n./gke.yaml,gke_my-project_us-central1_prod`n./onprem.yaml,admin@onprem-user1" |
            Set-Content "$sandbox/clusters.csv"
    }

    BeforeEach {
        $savedKubeconfig = $env:KUBECONFIG
        Push-Location $sandbox
    }

    AfterEach {
        Pop-Location
        $env:KUBECONFIG = $savedKubeconfig
    }

    It '<Title>' -ForEach $offline {
        $output = @(& ([scriptblock]::Create($Code)) 2>&1)
        $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors | Should -BeNullOrEmpty
        $output.Count | Should -BeGreaterThan 0
    }
}

Describe 'The Pester mocking pattern of about_HybridMesh' {
    It 'binds a [pscustomobject] to the real cmdlet by property name' {
        $kubeconfig = Join-Path $env:HYBRIDMESH_REPO_ROOT 'tests/assets/kubeconfig.onprem.yaml'
        $cluster = [pscustomobject]@{ Kubeconfig = $kubeconfig; Context = 'admin@onprem-user1' } | Get-MeshCluster
        $cluster.Context | Should -Be 'admin@onprem-user1'
        $cluster.Kubeconfig | Should -Be @($kubeconfig)
    }

    It 'lets a mock of the cmdlet see the piped properties as parameters' {
        Mock Get-MeshCluster { }
        [pscustomobject]@{ Kubeconfig = './onprem.yaml'; Context = 'onprem' } | Get-MeshCluster
        Should -Invoke Get-MeshCluster -Times 1 -Exactly -ParameterFilter {
            $Context -eq 'onprem' -and $Kubeconfig -eq './onprem.yaml'
        }
    }
}
