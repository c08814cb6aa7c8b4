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

function New-TestDirectory {
    $path = Join-Path ([IO.Path]::GetTempPath()) ("hm-test-{0}" -f (Get-Random))
    New-Item -ItemType Directory -Path $path | Out-Null
    return $path
}

function Start-TestLab {
    <#
    Starts the lab (simulated clusters and fleet) as a separate process and returns its lab.json as an object with
    the process attached. The lab exits by itself when this pwsh exits (--parent-pid), so a crashed run leaves
    nothing behind.
    #>
    param([int] $Clusters = 2, [string[]] $ExtraArguments = @())
    $dir = New-TestDirectory
    $labDll = $env:HYBRIDMESH_LAB
    if (-not (Test-Path $labDll)) { throw "The lab is not built: $labDll" }
    $arguments = @($labDll, '--clusters', $Clusters, '--out', $dir, '--parent-pid', $PID) + $ExtraArguments
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -RedirectStandardOutput (Join-Path $dir 'lab.out') -RedirectStandardError (Join-Path $dir 'lab.err')
    $labJson = Join-Path $dir 'lab.json'
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path $labJson)) {
        if ($process.HasExited) { throw "The lab exited early: $(Get-Content -Raw (Join-Path $dir 'lab.err'))" }
        if ([DateTime]::UtcNow -gt $deadline) { Stop-Process -Id $process.Id -Force; throw 'The lab did not start within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
    Start-Sleep -Milliseconds 50   # lab.json is written last, after every server listens
    $lab = Get-Content -Raw $labJson | ConvertFrom-Json
    $lab | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $lab | Add-Member -NotePropertyName Directory -NotePropertyValue $dir
    return $lab
}

function Stop-TestLab($Lab) {
    if ($Lab -and $Lab.Process -and -not $Lab.Process.HasExited) {
        Stop-Process -Id $Lab.Process.Id -Force -ErrorAction SilentlyContinue
        $Lab.Process.WaitForExit(5000) | Out-Null
    }
}

function Use-TestLabFleet($Lab) {
    <# Points Google calls of this session at the lab's fleet, with its test credential file (never Google). #>
    $env:HYBRIDMESH_GOOGLE_API_ENDPOINT = $Lab.fleet.url
    $env:GOOGLE_APPLICATION_CREDENTIALS = $Lab.fleet.credentialFile
    $env:GCE_METADATA_HOST = ([Uri] $Lab.fleet.url).Authority
}
