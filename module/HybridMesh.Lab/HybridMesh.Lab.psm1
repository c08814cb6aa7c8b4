# HybridMesh.Lab: start and steer the HybridMesh lab from PowerShell, so that runbooks that use HybridMesh can be
# tested under Pester with no clusters and no cloud account. The lab server (lab/HybridMesh.Lab.dll) runs as a child
# process bound to 127.0.0.1 only, and exits when the PowerShell process that started it exits.
Set-StrictMode -Version Latest

$script:LabDll = Join-Path $PSScriptRoot 'lab/HybridMesh.Lab.dll'
$script:FleetVariables = 'HYBRIDMESH_GOOGLE_API_ENDPOINT', 'GOOGLE_APPLICATION_CREDENTIALS', 'GCE_METADATA_HOST'
# This session's shared lab process (Start-MeshLab -Shared), started on first use: Get-SharedLabProcess.
$script:SharedLab = $null

function Start-MeshLab {
    <#
    .SYNOPSIS
        Starts simulated clusters and a simulated Google fleet on 127.0.0.1.
    .DESCRIPTION
        Starts the lab: Clusters simulated Kubernetes API servers (odd ones GKE-style, with context
        gke_lab-gke-project_us-central1_clusterN; even ones on-prem-style, admin@clusterN), each with an Anthos
        Service Mesh control plane preset (istio-system, istiod-asm-1282-4, reader RBAC, shared root certificate,
        Gateway CRD, fleet Membership), and a simulated fleet (Resource Manager, GKE, GKE Hub) that knows them.
        Returns a HybridMesh.Lab.MeshLab object with the kubeconfig paths. Unless -NoFleetEnvironment is given, it also
        points this session's Google calls at the simulated fleet (HYBRIDMESH_GOOGLE_API_ENDPOINT,
        GOOGLE_APPLICATION_CREDENTIALS, GCE_METADATA_HOST); Stop-MeshLab restores them.
    .PARAMETER Clusters
        How many clusters (1 to 250: a GKE fleet holds up to 250; see docs/design/scale.md).
    .PARAMETER DistinctRoots
        Give every cluster its own root certificate instead of one shared root (a broken mesh).
    .PARAMETER MeshTraffic
        Turn on the mesh traffic model: pods answer `curl helloworld.sample:5000/hello` as the mesh would route it (so
        Test-MeshConnectivity -Traffic works), and every istiod answers `pilot-discovery request GET /debug/clusterz`
        from the remote secrets it has loaded (so Test-MeshConnectivity checks istiod's own view). Without it the
        clusters' kubelets are unreachable and exec fails, as on a cluster whose API server cannot reach its nodes.
    .PARAMETER SharedGkeNetwork
        Put all GKE-style clusters on one VPC (one network id). By default labs of one or two clusters do, and labs of
        three or more give every cluster its own network.
    .PARAMETER LoadBalancerDelayMs
        How long a LoadBalancer Service waits for its address (default 200 ms).
    .PARAMETER ArgumentList
        More command-line options for the lab server, passed as they are (for lab options that have no parameter yet).
    .PARAMETER Path
        Where the kubeconfigs and lab.json go (default: a new temporary folder).
    .PARAMETER NoFleetEnvironment
        Do not point this session's Google calls at the simulated fleet.
    .PARAMETER TimeoutSec
        How long to wait for the lab to start.
    .PARAMETER Shared
        Host the lab in this session's shared lab process (started on first use, one per PowerShell session) instead
        of a process of its own: the same lab (its own clusters, fleet, kubeconfigs and control API), but a start
        costs a fraction of the CPU, since the lab's code is loaded and compiled once per session. For test suites
        that start many labs. Stop-MeshLab stops only this lab; the shared process exits with this PowerShell.
    .EXAMPLE
        $lab = Start-MeshLab -Clusters 2
        Get-MeshCluster -Kubeconfig $lab.Kubeconfig | Get-MeshEnvironment -FleetProjectId $lab.FleetProjectId

        Starts two clusters and a fleet, then runs the first runbook steps against them.
    .EXAMPLE
        $lab = Start-MeshLab -Clusters 3 -MeshTraffic
        Get-MeshCluster -Kubeconfig $lab.Kubeconfig | Test-MeshConnectivity -Traffic

        Starts three clusters, each on its own network, whose pods and istiods behave as a mesh would, so that the
        traffic test and istiod's view can be checked.
    .EXAMPLE
        BeforeAll { $lab = Start-MeshLab }
        AfterAll { Stop-MeshLab $lab }

        The Pester pattern: one lab per test file, stopped afterwards.
    .EXAMPLE
        BeforeAll { $lab = Start-MeshLab -Shared }
        AfterAll { Stop-MeshLab $lab }

        The same in a suite of many test files run in one PowerShell: every file's lab is hosted by one lab process.
    .OUTPUTS
        HybridMesh.Lab.MeshLab
    .LINK
        https://github.com/hybridmesh/HybridMesh/blob/main/README.md
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('HybridMesh.Lab.MeshLab')]
    param(
        [ValidateRange(1, 250)] [int] $Clusters = 2,
        [switch] $DistinctRoots,
        [switch] $MeshTraffic,
        [switch] $SharedGkeNetwork,
        [ValidateRange(0, 600000)] [int] $LoadBalancerDelayMs = 200,
        [string] $Path,
        [switch] $NoFleetEnvironment,
        [ValidateRange(1, 600)] [int] $TimeoutSec = 60,
        [string[]] $ArgumentList = @(),
        [switch] $Shared
    )
    if (-not (Test-Path $script:LabDll)) {
        throw [System.IO.FileNotFoundException]::new("The lab server is missing from the module: $script:LabDll. Reinstall HybridMesh.Lab.")
    }
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
        throw [System.InvalidOperationException]::new('The lab needs the dotnet host (the .NET 10 runtime with ASP.NET Core) on PATH.')
    }
    if (-not $Path) { $Path = Join-Path ([IO.Path]::GetTempPath()) ("hybridmesh-lab-{0}" -f [guid]::NewGuid().ToString('N').Substring(0, 8)) }
    if (-not $PSCmdlet.ShouldProcess("$Clusters clusters in $Path", 'Start lab')) { return }
    New-Item -ItemType Directory -Force -Path $Path | Out-Null

    $labArguments = @('--clusters', $Clusters, '--out', $Path, '--lb-delay-ms', $LoadBalancerDelayMs)
    if ($DistinctRoots) { $labArguments += '--distinct-roots' }
    if ($MeshTraffic) { $labArguments += '--mesh-traffic' }
    if ($SharedGkeNetwork) { $labArguments += '--shared-gke-network' }
    $labArguments += $ArgumentList
    if ($Shared) {
        $server = Get-SharedLabProcess -TimeoutSec $TimeoutSec
        $body = @{ arguments = @($labArguments | ForEach-Object { [string] $_ }) } | ConvertTo-Json -Compress
        try {
            $null = Invoke-RestMethod -Method Post -Uri "$($server.Url)/labs" -Body $body -ContentType 'application/json' -TimeoutSec $TimeoutSec
        }
        catch {
            $answer = $_.ErrorDetails.Message
            $detail = if ($answer) { ($answer | ConvertFrom-Json -ErrorAction SilentlyContinue).message } else { $_.Exception.Message }
            throw "The shared lab process did not start the lab: $detail"
        }
        return New-MeshLabObject -Path $Path -ProcessId $server.ProcessId -NoFleetEnvironment:$NoFleetEnvironment -SharedLabProcess $server.Url
    }
    $arguments = @($script:LabDll, '--parent-pid', $PID) + $labArguments
    # Ctrl+C in a terminal signals its whole foreground process group: a lab sharing this shell's group would die with
    # the cmdlet the user interrupted. On Linux the lab gets a session (and process group) of its own through
    # setsid, which execs dotnet in place (same process id), so no terminal signal (Ctrl+C, Ctrl+Z, Ctrl+\) reaches
    # it. Elsewhere (Windows consoles, macOS without setsid) the lab itself ignores Ctrl+C when it has --parent-pid.
    # It still exits with this PowerShell (--parent-pid) and with Stop-MeshLab (docs/design/lab-lifetime.md).
    $file, $prefix = Get-LabLauncher
    $process = Start-Process -FilePath $file -ArgumentList (@($prefix) + $arguments) -PassThru `
        -RedirectStandardOutput (Join-Path $Path 'lab.out') -RedirectStandardError (Join-Path $Path 'lab.err')

    $labJson = Join-Path $Path 'lab.json'
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (Test-Path $labJson)) {
        if ($process.HasExited) { throw "The lab exited during start-up: $(Get-Content -Raw (Join-Path $Path 'lab.err'))" }
        if ([DateTime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
            throw "The lab did not start within $TimeoutSec s."
        }
        Start-Sleep -Milliseconds 100
    }
    New-MeshLabObject -Path $Path -ProcessId $process.Id -NoFleetEnvironment:$NoFleetEnvironment
}

function New-MeshLabObject([string] $Path, [int] $ProcessId, [switch] $NoFleetEnvironment, [string] $SharedLabProcess) {
    # The MeshLab object from a started lab's lab.json; points Google calls at its fleet unless told not to.
    $info = Get-Content -Raw -LiteralPath (Join-Path $Path 'lab.json') | ConvertFrom-Json
    $saved = @{}
    if (-not $NoFleetEnvironment -and $info.fleet) {
        foreach ($name in $script:FleetVariables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        $env:HYBRIDMESH_GOOGLE_API_ENDPOINT = $info.fleet.url
        $env:GOOGLE_APPLICATION_CREDENTIALS = $info.fleet.credentialFile
        $env:GCE_METADATA_HOST = ([Uri] $info.fleet.url).Authority
    }

    [pscustomobject]@{
        PSTypeName     = 'HybridMesh.Lab.MeshLab'
        Path           = $Path
        ProcessId      = $ProcessId
        ControlUrl     = $info.controlUrl
        FleetProjectId = $info.fleet.projectId
        ProjectNumber  = $info.fleet.projectNumber
        FleetUrl       = $info.fleet.url
        Fleet          = $info.fleet
        Kubeconfig     = @($info.clusters.kubeconfig)
        Context        = @($info.clusters.context)
        Clusters       = @($info.clusters)
        SavedEnvironment = $saved
        SharedLabProcess = $(if ($SharedLabProcess) { $SharedLabProcess })
    }
}

function Get-LabLauncher {
    # What starts a lab process: dotnet, through setsid where there is one (a session of its own, see Start-MeshLab).
    # Returns the file and the arguments that go before the lab's.
    $setsid = if (-not $IsWindows) { Get-Command setsid -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 }
    if ($setsid) { return $setsid.Source, @('dotnet') }
    return 'dotnet', @()
}

function Get-SharedLabProcess([int] $TimeoutSec) {
    # This session's shared lab process (the lab's --serve-labs mode), started on first use. Like a lab of its own it
    # runs in a session of its own (setsid) and exits with this PowerShell (--parent-pid); it prints one line,
    # 'LABS READY <url>', and takes lab requests on that 127.0.0.1 address (docs/design/lab-reuse.md).
    if ($script:SharedLab) {
        $running = Get-Process -Id $script:SharedLab.ProcessId -ErrorAction SilentlyContinue
        if ($running -and -not $running.HasExited) { return $script:SharedLab }
        $script:SharedLab = $null
    }
    $file, $prefix = Get-LabLauncher
    $start = [System.Diagnostics.ProcessStartInfo]::new($file)
    foreach ($argument in @($prefix) + @($script:LabDll, '--serve-labs', '--parent-pid', [string] $PID)) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([TimeSpan]::FromSeconds($TimeoutSec)) -or -not "$($line.Result)".StartsWith('LABS READY ')) {
        Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
        throw "The shared lab process did not start within $TimeoutSec s."
    }
    $script:SharedLab = [pscustomobject]@{ Url = $line.Result.Substring('LABS READY '.Length).Trim(); ProcessId = $process.Id }
    return $script:SharedLab
}

function Stop-MeshLab {
    <#
    .SYNOPSIS
        Stops a lab started by Start-MeshLab and restores the environment variables it set.
    .PARAMETER Lab
        The object Start-MeshLab returned.
    .PARAMETER KeepFiles
        Keep the lab folder (kubeconfigs, lab.json, logs) instead of deleting it.
    .EXAMPLE
        Stop-MeshLab $lab

        Stops the lab's process and deletes its folder.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [PSTypeName('HybridMesh.Lab.MeshLab')] $Lab,
        [switch] $KeepFiles
    )
    process {
        if (-not $PSCmdlet.ShouldProcess($Lab.Path, 'Stop lab')) { return }
        if ($Lab.PSObject.Properties['SharedLabProcess'] -and $Lab.SharedLabProcess) {
            # Hosted by the shared lab process: stop this lab only.
            $uri = '{0}/labs?out={1}' -f $Lab.SharedLabProcess, [uri]::EscapeDataString($Lab.Path)
            try { Invoke-RestMethod -Method Delete -Uri $uri -TimeoutSec 30 | Out-Null }
            catch { Write-Warning "The shared lab process did not stop the lab in $($Lab.Path): $($_.Exception.Message)" }
        }
        else {
            $process = Get-Process -Id $Lab.ProcessId -ErrorAction SilentlyContinue
            if ($process) {
                Stop-Process -Id $Lab.ProcessId -Force -ErrorAction SilentlyContinue
                $process.WaitForExit(10000) | Out-Null
            }
        }
        foreach ($name in $Lab.SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $Lab.SavedEnvironment[$name]) }
        if (-not $KeepFiles) { Remove-Item -Recurse -Force -LiteralPath $Lab.Path -ErrorAction SilentlyContinue }
    }
}

function Assert-LabRunning($Lab) {
    # Without this, a lab that is gone (stopped, or its PowerShell exited) shows up as "Connection refused"
    # (docs/design/lab-lifetime.md).
    $process = Get-Process -Id $Lab.ProcessId -ErrorAction SilentlyContinue
    if ($process -and -not $process.HasExited -and $process.ProcessName -in 'dotnet', 'setsid') { return }
    $exception = [System.InvalidOperationException]::new(
        "The lab in $($Lab.Path) is not running any more (process $($Lab.ProcessId) is gone): a lab stops with Stop-MeshLab " +
        'or when the PowerShell process that started it exits. Start a new one with Start-MeshLab.')
    throw [System.Management.Automation.ErrorRecord]::new($exception, 'HybridMesh.Lab.LabNotRunning',
        [System.Management.Automation.ErrorCategory]::ResourceUnavailable, $Lab.Path)
}

function Resolve-LabClusterName($Lab, [string] $Cluster) {
    Assert-LabRunning $Lab
    $match = @($Lab.Clusters | Where-Object { $_.name -eq $Cluster -or $_.context -eq $Cluster })
    if ($match.Count -ne 1) { throw [System.ArgumentException]::new("No lab cluster is named '$Cluster'. Clusters: $($Lab.Clusters.name -join ', ').") }
    return $match[0].name
}

function Add-MeshLabFault {
    <#
    .SYNOPSIS
        Makes a lab cluster misbehave: added latency, error answers, dropped connections, or a revoked admin token.
    .PARAMETER Lab
        The object Start-MeshLab returned.
    .PARAMETER Cluster
        The lab cluster's name (cluster1, ...) or context.
    .PARAMETER Kind
        Latency, Status (an HTTP error answer), Reset (a dropped connection) or Revoke (the kubeconfig's token stops working);
        and, for labs started with -MeshTraffic, faults seen only from inside the clusters: IstiodStale (istiod keeps the
        remote secrets it has loaded until it restarts), IstiodTimeout (istiod reports -Peer, or every remote, as timeout),
        PartitionApiServer and PartitionGateway (pods of -Cluster cannot reach -Peer's API server or east-west gateway,
        while this machine still reaches both), OverridePodsOnly (pods of every cluster reach -Cluster's API server at
        -Server, an address this machine cannot resolve, as a VPN-only name given to New-Mesh -ServerOverride) and
        ImagePull (pods using -Image stay Pending in ErrImagePull in -Cluster).
    .PARAMETER Server
        The https:// address only pods reach, for -Kind OverridePodsOnly.
    .PARAMETER Image
        The image that cannot be pulled, for -Kind ImagePull.
    .PARAMETER Peer
        The other cluster, for IstiodTimeout, PartitionApiServer and PartitionGateway.
    .PARAMETER DelayMs
        Latency to add, for -Kind Latency.
    .PARAMETER StatusCode
        The HTTP status to answer with, for -Kind Status (429, 500, 503, ...).
    .PARAMETER RetryAfterSeconds
        A Retry-After header for -Kind Status.
    .PARAMETER Count
        How many requests the fault hits (default: until cleared).
    .PARAMETER PathContains
        Only requests whose path contains this text.
    .EXAMPLE
        Add-MeshLabFault $lab -Cluster cluster2 -Kind Status -StatusCode 503 -Count 2

        The next two requests to cluster2 get 503; HybridMesh retries them.
    .EXAMPLE
        Add-MeshLabFault $lab -Cluster cluster1 -Kind Latency -DelayMs 50

        Every request to cluster1 takes 50 ms longer, until Clear-MeshLabFault.
    .EXAMPLE
        Add-MeshLabFault $lab -Cluster cluster1 -Kind PartitionApiServer -Peer cluster2

        istiod in cluster1 can no longer reach cluster2's API server; Test-MeshConnectivity then fails RemoteClusterSync
        for that link, although this machine still reaches both clusters.
    .EXAMPLE
        Add-MeshLabFault $lab -Cluster cluster2 -Kind OverridePodsOnly -Server https://cluster2.vpn.example:6443

        Pods reach cluster2's API server at that name, this machine does not: after New-Mesh -ServerOverride
        @{ '<cluster2 id>' = 'https://cluster2.vpn.example:6443' }, Test-MeshConnectivity passes the link from inside.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [PSTypeName('HybridMesh.Lab.MeshLab')] $Lab,
        [Parameter(Mandatory)] [string] $Cluster,
        [Parameter(Mandatory)] [ValidateSet('Latency', 'Status', 'Reset', 'Revoke', 'IstiodStale', 'IstiodTimeout', 'PartitionApiServer', 'PartitionGateway', 'OverridePodsOnly', 'ImagePull')] [string] $Kind,
        [string] $Peer,
        [string] $Server,
        [string] $Image,
        [int] $DelayMs,
        [int] $StatusCode = 503,
        [int] $RetryAfterSeconds,
        [int] $Count,
        [string] $PathContains
    )
    $name = Resolve-LabClusterName $Lab $Cluster
    $body = @{ kind = $Kind.ToLowerInvariant() }
    switch ($Kind) {
        'Latency' { $body.delayMs = $DelayMs }
        'Status' { $body.status = $StatusCode; if ($RetryAfterSeconds) { $body.retryAfterSeconds = $RetryAfterSeconds } }
        'Revoke' { $body.user = 'admin' }
        'IstiodStale' { $body.kind = 'istiod-stale' }
        'IstiodTimeout' { $body.kind = 'istiod-timeout'; if ($Peer) { $body.peer = Resolve-LabClusterName $Lab $Peer } }
        { $_ -like 'Partition*' } {
            if (-not $Peer) { throw [System.ArgumentException]::new("-Kind $Kind needs -Peer.") }
            $body.kind = if ($Kind -eq 'PartitionApiServer') { 'partition-apiserver' } else { 'partition-gateway' }
            $body.peer = Resolve-LabClusterName $Lab $Peer
        }
        'OverridePodsOnly' {
            if (-not $Server) { throw [System.ArgumentException]::new('-Kind OverridePodsOnly needs -Server.') }
            $body.kind = 'override-pods-only'; $body.server = $Server
        }
        'ImagePull' {
            if (-not $Image) { throw [System.ArgumentException]::new('-Kind ImagePull needs -Image.') }
            $body.kind = 'image-pull'; $body.image = $Image
        }
    }
    if ($Count) { $body.count = $Count }
    if ($PathContains) { $body.path = $PathContains }
    if ($PSCmdlet.ShouldProcess($name, "Add $Kind fault")) {
        Invoke-RestMethod -Method Post -Uri "$($Lab.ControlUrl)/clusters/$name/faults" -ContentType 'application/json' -Body ($body | ConvertTo-Json) | Out-Null
    }
}

function Clear-MeshLabFault {
    <#
    .SYNOPSIS
        Removes every fault (and token revocation) from a lab cluster.
    .PARAMETER Lab
        The object Start-MeshLab returned.
    .PARAMETER Cluster
        The lab cluster's name or context.
    .EXAMPLE
        Clear-MeshLabFault $lab -Cluster cluster2

        cluster2 answers normally again.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [PSTypeName('HybridMesh.Lab.MeshLab')] $Lab,
        [Parameter(Mandatory)] [string] $Cluster
    )
    $name = Resolve-LabClusterName $Lab $Cluster
    if ($PSCmdlet.ShouldProcess($name, 'Clear faults')) {
        Invoke-RestMethod -Method Delete -Uri "$($Lab.ControlUrl)/clusters/$name/faults" | Out-Null
    }
}

function Get-MeshLabRequest {
    <#
    .SYNOPSIS
        The requests a lab cluster received (method, path, query, content type, status), oldest first.
    .PARAMETER Lab
        The object Start-MeshLab returned.
    .PARAMETER Cluster
        The lab cluster's name or context.
    .PARAMETER Clear
        Empty the log after reading it.
    .EXAMPLE
        Get-MeshLabRequest $lab -Cluster cluster1 -Clear | Out-Null
        Install-EastWestGateway -Kubeconfig $lab.Kubeconfig[0] -Context $lab.Context[0] -WhatIf
        (Get-MeshLabRequest $lab -Cluster cluster1).Method | Sort-Object -Unique

        Proves that -WhatIf sent only GET requests.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [PSTypeName('HybridMesh.Lab.MeshLab')] $Lab,
        [Parameter(Mandatory)] [string] $Cluster,
        [switch] $Clear
    )
    $name = Resolve-LabClusterName $Lab $Cluster
    $requests = Invoke-RestMethod -Uri "$($Lab.ControlUrl)/clusters/$name/requests"
    if ($Clear) { Invoke-RestMethod -Method Delete -Uri "$($Lab.ControlUrl)/clusters/$name/requests" | Out-Null }
    $requests | ForEach-Object { $_ }
}

function Set-MeshLabLoadBalancer {
    <#
    .SYNOPSIS
        Decides when a lab cluster's LoadBalancer Services get an address: after a delay, or never (like an
        on-premises cluster without a load-balancer implementation).
    .PARAMETER Lab
        The object Start-MeshLab returned.
    .PARAMETER Cluster
        The lab cluster's name or context.
    .PARAMETER DelayMs
        Assign addresses after this delay.
    .PARAMETER Never
        Never assign an address: gateways stay pending.
    .EXAMPLE
        Set-MeshLabLoadBalancer $lab -Cluster cluster2 -Never

        cluster2's east-west gateway will stay <pending>, as on-prem without MetalLB.
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Delay')]
    param(
        [Parameter(Mandatory, Position = 0)] [PSTypeName('HybridMesh.Lab.MeshLab')] $Lab,
        [Parameter(Mandatory)] [string] $Cluster,
        [Parameter(Mandatory, ParameterSetName = 'Delay')] [int] $DelayMs,
        [Parameter(Mandatory, ParameterSetName = 'Never')] [switch] $Never
    )
    $name = Resolve-LabClusterName $Lab $Cluster
    $body = if ($Never) { @{ mode = 'never' } } else { @{ mode = 'delay'; delayMs = $DelayMs } }
    if ($PSCmdlet.ShouldProcess($name, 'Set load balancer')) {
        Invoke-RestMethod -Method Post -Uri "$($Lab.ControlUrl)/clusters/$name/loadbalancer" -ContentType 'application/json' -Body ($body | ConvertTo-Json) | Out-Null
    }
}

# Tab completion for -Cluster and -Peer: the names of the lab's clusters (the lab object typed before them).
$script:LabClusterCompleter = {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    $lab = $fakeBoundParameters['Lab']
    if (-not $lab -or -not $lab.PSObject.Properties['Clusters']) { return }
    $prefix = "$wordToComplete".Trim("'", '"')
    foreach ($cluster in @($lab.Clusters)) {
        if ($cluster.name -like "$prefix*") {
            [System.Management.Automation.CompletionResult]::new($cluster.name, $cluster.name, 'ParameterValue', "$($cluster.name) ($($cluster.context))")
        }
    }
}
foreach ($command in 'Add-MeshLabFault', 'Clear-MeshLabFault', 'Get-MeshLabRequest', 'Set-MeshLabLoadBalancer') {
    Register-ArgumentCompleter -CommandName $command -ParameterName Cluster -ScriptBlock $script:LabClusterCompleter
}
Register-ArgumentCompleter -CommandName Add-MeshLabFault -ParameterName Peer -ScriptBlock $script:LabClusterCompleter
