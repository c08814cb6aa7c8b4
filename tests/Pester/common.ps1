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
    Starts a lab (simulated clusters and fleet) for a test file. Returns an object shaped like the shipped
    Start-MeshLab's (it also carries lab.json's fields: clusters, fleet, controlUrl) with the lab process and folder
    attached, and points Google calls at the lab's fleet as Start-MeshLab does. ExtraArguments are lab command-line
    options: the known ones map to Start-MeshLab's parameters, any other is passed on as it is.
    By default the lab is hosted by the shared lab process of this pwsh (Get-TestLabServer): the same lab, without a
    process of its own to start and compile (docs/design/lab-reuse.md). -OwnProcess starts it through Start-MeshLab,
    for tests about the lab's process; the demo, the benchmarks and users always do.
    #>
    param([int] $Clusters = 2, [string[]] $ExtraArguments = @(), [switch] $OwnProcess)
    Import-HybridMeshLab
    $parameters = @{ Clusters = $Clusters; Path = (New-TestDirectory) }
    $passThrough = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $ExtraArguments.Count; $i++) {
        switch ($ExtraArguments[$i]) {
            '--lb-delay-ms' { $parameters.LoadBalancerDelayMs = [int] $ExtraArguments[++$i] }
            '--mesh-traffic' { $parameters.MeshTraffic = $true }
            '--distinct-roots' { $parameters.DistinctRoots = $true }
            default { $passThrough.Add($ExtraArguments[$i]) }
        }
    }
    if ($OwnProcess) {
        if ($passThrough.Count) { $parameters.ArgumentList = $passThrough.ToArray() }
        $lab = Start-MeshLab @parameters -Confirm:$false
    }
    else {
        $lab = Start-SharedTestLab -Parameters $parameters -ArgumentList $passThrough.ToArray()
    }
    $lab | Add-Member -NotePropertyName Process -NotePropertyValue (Get-Process -Id $lab.ProcessId)
    $lab | Add-Member -NotePropertyName Directory -NotePropertyValue $lab.Path
    return $lab
}

function Get-TestLabServer {
    <#
    The shared lab process of this pwsh (the lab's --serve-labs mode: one process hosting every lab a group of test
    files asks for), started on first use; it exits with this pwsh. Its address is kept in the environment, so a
    child pwsh of a test uses it too. tools/Invoke-PesterTests.ps1 clears it, so every run starts its own.
    #>
    if ($env:HYBRIDMESH_TEST_LAB_SERVER -and $env:HYBRIDMESH_TEST_LAB_SERVER_PID) {
        $running = Get-Process -Id ([int] $env:HYBRIDMESH_TEST_LAB_SERVER_PID) -ErrorAction SilentlyContinue
        if ($running -and -not $running.HasExited) {
            return [pscustomobject]@{ Url = $env:HYBRIDMESH_TEST_LAB_SERVER; ProcessId = $running.Id }
        }
    }
    Import-HybridMeshLab
    $dll = & (Get-Module HybridMesh.Lab) { $script:LabDll }
    $folder = New-TestDirectory
    $process = Start-Process -FilePath 'dotnet' -ArgumentList @($dll, '--serve-labs', '--out', $folder, '--parent-pid', $PID) -PassThru `
        -RedirectStandardOutput (Join-Path $folder 'serve.out') -RedirectStandardError (Join-Path $folder 'serve.err')
    $serveJson = Join-Path $folder 'serve.json'
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path -LiteralPath $serveJson)) {
        if ($process.HasExited) { throw "The shared lab process exited during start-up: $(Get-Content -Raw (Join-Path $folder 'serve.err'))" }
        if ([DateTime]::UtcNow -gt $deadline) { Stop-Process -Id $process.Id -Force; throw 'The shared lab process did not start within 60 s.' }
        Start-Sleep -Milliseconds 50
    }
    $info = Get-Content -Raw -LiteralPath $serveJson | ConvertFrom-Json
    $env:HYBRIDMESH_TEST_LAB_SERVER = $info.url
    $env:HYBRIDMESH_TEST_LAB_SERVER_PID = [string] $info.processId
    return [pscustomobject]@{ Url = $info.url; ProcessId = [int] $info.processId }
}

function Start-SharedTestLab([hashtable] $Parameters, [string[]] $ArgumentList) {
    # The arguments Start-MeshLab gives a lab process (its defaults included), asked of the shared lab process.
    $server = Get-TestLabServer
    $arguments = @('--clusters', [string] $Parameters.Clusters, '--out', $Parameters.Path,
        '--lb-delay-ms', [string] $(if ($Parameters.ContainsKey('LoadBalancerDelayMs')) { $Parameters.LoadBalancerDelayMs } else { 200 }))
    if ($Parameters.ContainsKey('MeshTraffic')) { $arguments += '--mesh-traffic' }
    if ($Parameters.ContainsKey('DistinctRoots')) { $arguments += '--distinct-roots' }
    $arguments += $ArgumentList
    $body = @{ arguments = $arguments } | ConvertTo-Json -Compress
    $answer = Invoke-RestMethod -Method Post -Uri "$($server.Url)/labs" -Body $body -ContentType 'application/json' -TimeoutSec 120
    $info = Get-Content -Raw -LiteralPath $answer.labJson | ConvertFrom-Json
    $saved = @{}
    foreach ($name in 'HYBRIDMESH_GOOGLE_API_ENDPOINT', 'GOOGLE_APPLICATION_CREDENTIALS', 'GCE_METADATA_HOST') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:HYBRIDMESH_GOOGLE_API_ENDPOINT = $info.fleet.url
    $env:GOOGLE_APPLICATION_CREDENTIALS = $info.fleet.credentialFile
    $env:GCE_METADATA_HOST = ([Uri] $info.fleet.url).Authority
    [pscustomobject]@{
        PSTypeName       = 'HybridMesh.Lab.MeshLab'
        Path             = $Parameters.Path
        ProcessId        = $server.ProcessId
        ControlUrl       = $info.controlUrl
        FleetProjectId   = $info.fleet.projectId
        ProjectNumber    = $info.fleet.projectNumber
        FleetUrl         = $info.fleet.url
        Fleet            = $info.fleet
        Kubeconfig       = @($info.clusters.kubeconfig)
        Context          = @($info.clusters.context)
        Clusters         = @($info.clusters)
        SavedEnvironment = $saved
        SharedLabServer  = $server.Url
    }
}

function Stop-TestLab($Lab) {
    <# Stops a lab from Start-TestLab: its process or its place in the shared lab process, its folder, and the
    environment variables it set. #>
    if (-not $Lab) { return }
    if (-not $Lab.PSObject.Properties['SharedLabServer']) { Stop-MeshLab $Lab -Confirm:$false; return }
    $uri = '{0}/labs?out={1}' -f $Lab.SharedLabServer, [uri]::EscapeDataString($Lab.Path)
    try { Invoke-RestMethod -Method Delete -Uri $uri -TimeoutSec 30 | Out-Null }
    catch { Write-Warning "The shared lab process did not stop the lab in $($Lab.Path): $_" }
    foreach ($name in $Lab.SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $Lab.SavedEnvironment[$name]) }
    Remove-Item -Recurse -Force -LiteralPath $Lab.Path -ErrorAction SilentlyContinue
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
