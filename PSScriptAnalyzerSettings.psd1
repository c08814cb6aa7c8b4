# Settings for PSScriptAnalyzer over build scripts, tools, tests, benchmarks and help examples.
# build.ps1 Test runs the analyzer only where the PSScriptAnalyzer module is installed (the PowerShell Gallery is not
# reachable from this project's CI) and says so when it skips it.
@{
    Severity            = @('Error', 'Warning')
    IncludeDefaultRules = $true
    ExcludeRules        = @(
        # Pester's BeforeAll/It scoping makes variables look unused.
        'PSUseDeclaredVarsMoreThanAssignments'
    )
    Rules               = @{
        PSPlaceOpenBrace           = @{ Enable = $true; OnSameLine = $true }
        PSUseConsistentIndentation = @{ Enable = $true; Kind = 'space'; IndentationSize = 4 }
        PSUseConsistentWhitespace  = @{ Enable = $true }
    }
}
