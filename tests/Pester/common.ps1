# Shared set-up for the Pester suite. Dot-source in BeforeAll (and BeforeDiscovery when data is needed there).
# build.ps1 runs the suite in a child pwsh and passes the built artefacts through environment variables.
Set-StrictMode -Version Latest

$script:ModuleDirectory = $env:HYBRIDMESH_MODULE_PATH      # out/Modules/HybridMesh/<version>
$script:ModuleManifest = Join-Path $script:ModuleDirectory 'HybridMesh.psd1'
$script:RepoRoot = $env:HYBRIDMESH_REPO_ROOT
$script:Assets = Join-Path $script:RepoRoot 'tests/assets'
$script:GkeKubeconfig = Join-Path $script:Assets 'kubeconfig.gke.yaml'
$script:OnPremKubeconfig = Join-Path $script:Assets 'kubeconfig.onprem.yaml'

# Nothing in the suite may reach the real metadata server or Google: see README, "Testing".
if (-not $env:GCE_METADATA_HOST) { $env:GCE_METADATA_HOST = '127.0.0.1:9' }

function Import-HybridMesh {
    Import-Module $script:ModuleManifest -Force -ErrorAction Stop
}

function Get-PwshCommand {
    # The same pwsh that runs the suite; under 'dotnet pwsh' that is dotnet + pwsh.dll.
    $process = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet' -and (Test-Path $dll)) { return $process, @($dll) }
    return $process, @()
}

function Invoke-ChildPwsh {
    <# Runs a script in a fresh pwsh (nothing loaded yet) and returns its output lines; throws on a non-zero exit. #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $exe, $prefix = Get-PwshCommand
    $file = Join-Path ([IO.Path]::GetTempPath()) ("hm-child-{0}.ps1" -f [guid]::NewGuid())
    Set-Content -LiteralPath $file -Value $Script
    $saved = @{}
    foreach ($key in $Environment.Keys) {
        $saved[$key] = [Environment]::GetEnvironmentVariable($key)
        [Environment]::SetEnvironmentVariable($key, $Environment[$key])
    }
    try {
        $output = & $exe @prefix -NoProfile -NonInteractive -File $file 2>&1
        if ($LASTEXITCODE -ne 0) { throw "child pwsh exited $LASTEXITCODE`n$($output -join "`n")" }
        return $output
    }
    finally {
        foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    }
}

# Environment variables for a child pwsh whose CurrentUser scope (and PSResourceGet's settings) is a throw-away HOME
# under $Sandbox; the folders are created. Pass the result to Invoke-ChildPwsh -Environment.
function New-SandboxEnvironment([string] $Sandbox) {
    $environment = @{
        HOME            = $Sandbox
        XDG_DATA_HOME   = (Join-Path $Sandbox '.local/share')
        XDG_CONFIG_HOME = (Join-Path $Sandbox '.config')
        PSModulePath    = $null
    }
    $environment.Values | Where-Object { $_ } | ForEach-Object { New-Item -ItemType Directory -Force -Path $_ | Out-Null }
    $environment
}

function New-TestDirectory {
    # Under the run's own folder when tools/Invoke-PesterTests.ps1 made one (it deletes it when the run ends, so a
    # test that forgets its AfterAll, or a lab that still holds files, leaves nothing in the temp folder).
    $base = if ($env:HYBRIDMESH_TEST_TEMP) { $env:HYBRIDMESH_TEST_TEMP } else { [IO.Path]::GetTempPath() }
    $path = Join-Path $base ("hm-test-{0}" -f (Get-Random))
    New-Item -ItemType Directory -Path $path | Out-Null
    return $path
}

function Import-HybridMeshLab {
    <# The shipped HybridMesh.Lab module, as built (out/Modules/HybridMesh.Lab/<version>). #>
    if (-not (Get-Module HybridMesh.Lab)) {
        Import-Module (Join-Path $env:HYBRIDMESH_LAB_MODULE_PATH 'HybridMesh.Lab.psd1') -ErrorAction Stop
    }
}

function Start-TestLab {
    <#
    Starts the lab (simulated clusters and fleet) through the shipped Start-MeshLab, the one way every test, the demo
    and the benchmarks start it. Returns Start-MeshLab's object (it also carries lab.json's fields: clusters, fleet,
    controlUrl) with the lab process and folder attached. ExtraArguments are lab command-line options: the known ones
    map to Start-MeshLab's parameters, any other is passed on as it is.
    The lab is hosted by this pwsh's shared lab process (Start-MeshLab -Shared): the same lab, without a process of its
    own to start and compile, which was a fifth of the suite's CPU (docs/design/lab-reuse.md). -OwnProcess gives it a
    process of its own, for tests about the lab's process. Either way it exits with this pwsh at the latest.
    #>
    param([int] $Clusters = 2, [string[]] $ExtraArguments = @(), [switch] $OwnProcess)
    Import-HybridMeshLab
    $parameters = @{ Clusters = $Clusters; Path = (New-TestDirectory); Shared = (-not $OwnProcess) }
    $passThrough = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $ExtraArguments.Count; $i++) {
        switch ($ExtraArguments[$i]) {
            '--lb-delay-ms' { $parameters.LoadBalancerDelayMs = [int] $ExtraArguments[++$i] }
            '--mesh-traffic' { $parameters.MeshTraffic = $true }
            '--distinct-roots' { $parameters.DistinctRoots = $true }
            default { $passThrough.Add($ExtraArguments[$i]) }
        }
    }
    if ($passThrough.Count) { $parameters.ArgumentList = $passThrough.ToArray() }
    $lab = Start-MeshLab @parameters -Confirm:$false
    $lab | Add-Member -NotePropertyName Process -NotePropertyValue (Get-Process -Id $lab.ProcessId)
    $lab | Add-Member -NotePropertyName Directory -NotePropertyValue $lab.Path
    return $lab
}

function Stop-TestLab($Lab) {
    <# Stops a lab from Start-TestLab (Stop-MeshLab: the lab, its folder, and the environment variables it set). #>
    if ($Lab) { Stop-MeshLab $Lab -Confirm:$false }
}

function Use-TestLabFleet($Lab) {
    <#
    Points Google calls of this session at the lab's fleet, with its test credential file (never Google).
    Start-TestLab already does (Start-MeshLab sets these and Stop-MeshLab restores them); kept for tests that switch
    between labs.
    #>
    $env:HYBRIDMESH_GOOGLE_API_ENDPOINT = $Lab.fleet.url
    $env:GOOGLE_APPLICATION_CREDENTIALS = $Lab.fleet.credentialFile
    $env:GCE_METADATA_HOST = ([Uri] $Lab.fleet.url).Authority
}
