# Functions behind build.ps1. Dot-sourced; each does one step and throws when that step fails.
Set-StrictMode -Version Latest

function Get-HmModuleVersion([string] $Root) {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'Directory.Build.props')
    $version = $props.Project.PropertyGroup.ModuleVersion | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'ModuleVersion is missing from Directory.Build.props.' }
    return $version.Trim()
}

function Get-HmNuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list | Select-Object -First 1
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-HmDotnet([string[]] $Arguments) {
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

function Get-HmPwshCommand([string] $PwshDll) {
    # The file and leading arguments that start a pwsh: -PwshDll run by dotnet (the tests' ReadyToRun copy), else this
    # pwsh. Under 'dotnet pwsh' (the local tool) the process is dotnet running pwsh.dll; elsewhere it is pwsh itself.
    if ($PwshDll) { return (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source, @($PwshDll) }
    $process = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet' -and (Test-Path $dll)) {
        return $process, @($dll)
    }
    return $process, @()
}

function Test-HmReadyToRun([string] $Assembly) {
    # Whether an assembly holds ReadyToRun (ahead-of-time) code: its CLI header names a managed native header.
    $stream = [IO.File]::OpenRead($Assembly)
    try {
        $cor = [Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders.CorHeader
        return $null -ne $cor -and $cor.ManagedNativeHeaderDirectory.Size -gt 0
    }
    finally { $stream.Dispose() }
}

function Start-HmTestPwsh([string] $Root) {
    # Which pwsh.dll the test processes run: this pwsh when its engine is compiled ahead of time (the installed
    # packages are), else a ReadyToRun copy of it in out/test-pwsh made by tools/TestPwsh (the local tool 'dotnet pwsh'
    # is IL only, and every test pwsh paid ~1 CPU s of JIT to start). The copy is made once per pwsh and project; when
    # it must be made, 'dotnet publish' starts here in the background (it needs nothing the build makes) and
    # Complete-HmTestPwsh waits for it. docs/design/test-suite.md, "A ReadyToRun pwsh for the tests".
    $copy = Join-Path $Root 'out/test-pwsh'
    $run = [pscustomobject]@{ Dll = $null; Copy = $copy; Key = $null; Process = $null; Log = "$copy.log" }
    if (Test-HmReadyToRun (Join-Path $PSHOME 'System.Management.Automation.dll')) { return $run }
    $project = Join-Path $Root 'tools/TestPwsh/TestPwsh.csproj'
    # The stamp out/test-pwsh.inputs (Test-HmContentKey) starts with the source folder and version; a test reads them.
    $run.Key = '{0} {1} {2}' -f $PSHOME, $PSVersionTable.PSVersion, (Get-HmContentKey @($project))
    $dll = Join-Path $copy 'pwsh.dll'
    if ((Test-HmContentKey $copy $run.Key) -and (Test-Path -LiteralPath $dll)) {
        $run.Dll = $dll
        return $run
    }
    Write-Host "== Test pwsh: making a ReadyToRun copy of $PSHOME in the background"
    Remove-Item -LiteralPath "$copy.inputs" -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force -LiteralPath $copy -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path (Split-Path $copy) | Out-Null
    $arguments = @('publish', $project, '-c', 'Release', '-o', $copy, "-p:PwshHome=$PSHOME", '-nologo', '-v:q', '-clp:ErrorsOnly')
    $run.Process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -RedirectStandardOutput $run.Log `
        -RedirectStandardError "$($run.Log).err" -NoNewWindow -PassThru
    return $run
}

function Complete-HmTestPwsh($Run) {
    # The pwsh.dll for the test processes, once Start-HmTestPwsh's copy is made; $null means "this pwsh as it is":
    # already compiled ahead of time, or the copy could not be made (no crossgen2 pack for this platform), which only
    # costs time.
    if (-not $Run.Process) { return $Run.Dll }
    $Run.Process.WaitForExit()
    $dll = Join-Path $Run.Copy 'pwsh.dll'
    if ($Run.Process.ExitCode -ne 0 -or -not (Test-Path -LiteralPath $dll)) {
        Get-Content -LiteralPath $Run.Log, "$($Run.Log).err" -ErrorAction SilentlyContinue | Out-Host
        Write-Host "   no ReadyToRun copy (dotnet publish exit code $($Run.Process.ExitCode)): the tests run on $PSHOME as it is" -ForegroundColor Yellow
        Remove-Item -Recurse -Force -LiteralPath $Run.Copy -ErrorAction SilentlyContinue
        return $null
    }
    Set-HmContentKey $Run.Copy $Run.Key
    Write-Host "== Test pwsh: $($Run.Copy)"
    return $dll
}

function Invoke-HmChildPwsh([string] $Command, [hashtable] $Environment = @{}, [string] $TimesFile, [string] $PwshDll) {
    # A child pwsh (the same one running this script, or -PwshDll run by dotnet) so that loaded assemblies never lock
    # the build's outputs. With -TimesFile (not on Windows) it runs under sh, whose 'times' writes the CPU seconds of
    # the child and of every process it waited for into that file (Read-HmCpuSeconds).
    $pwsh, $prefix = Get-HmPwshCommand $PwshDll
    if ($TimesFile -and -not $IsWindows) {
        $prefix = @('-c', 'times_file=$1; shift; "$@"; rc=$?; times >"$times_file"; exit $rc', 'sh', $TimesFile, $pwsh) + @($prefix)
        $pwsh = 'sh'
    }
    $saved = @{}
    foreach ($key in $Environment.Keys) {
        $saved[$key] = [Environment]::GetEnvironmentVariable($key)
        [Environment]::SetEnvironmentVariable($key, $Environment[$key])
    }
    try {
        & $pwsh @prefix -NoProfile -NonInteractive -Command $Command | Out-Host
        return $LASTEXITCODE
    }
    finally {
        foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
    }
}

function Invoke-HmPublish([string] $Root, [string] $Configuration, [string[]] $Project) {
    # 'dotnet publish' of projects already built by Invoke-HmCompile, each into out/publish/<project>, all in one
    # MSBuild process (tools/Publish.proj); returns those folders in the order of -Project.
    $publishRoot = Join-Path $Root 'out/publish'
    $folders = foreach ($p in $Project) { Join-Path $publishRoot ([IO.Path]::GetFileNameWithoutExtension($p)) }
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $folders
    $paths = ($Project | ForEach-Object { Join-Path $Root $_ }) -join ';'
    Invoke-HmDotnet @('msbuild', (Join-Path $Root 'tools/Publish.proj'), '-t:Publish', '-nologo', '-v:q', "-p:Configuration=$Configuration",
        "-p:Projects=`"$paths`"", "-p:PublishRoot=$publishRoot$([IO.Path]::DirectorySeparatorChar)")
    return $folders
}

function Get-HmProjectLibraries([string] $DepsJson) {
    # The names of the project (not package) libraries a .deps.json lists, the root project included.
    $deps = Get-Content -Raw $DepsJson | ConvertFrom-Json -AsHashtable
    foreach ($key in $deps.libraries.Keys) {
        if ($deps.libraries[$key].type -eq 'project') { ($key -split '/')[0] }
    }
}

function Invoke-HmBuild([string] $Root, [string] $Configuration) {
    Invoke-HmCompile -Root $Root -Configuration $Configuration
    return New-HmModuleLayout -Root $Root -Configuration $Configuration
}

function Invoke-HmCompile([string] $Root, [string] $Configuration) {
    # Every project of the solution, tests included (the xunit runs use --no-build and may start right after this).
    Write-Host "== Build ($Configuration)"
    # An up-to-date 'dotnet build' still starts MSBuild, restores and evaluates every project: 3-6 CPU s and 5-20 s of
    # a loaded machine's wall time before anything else can start. It is skipped when the sources of every project,
    # the build files, the SDK and the commit (stamped into the assemblies) are what they were at the last build, and
    # its outputs are still the files it left (docs/design/test-suite.md). A clean clone has no stamp and builds.
    $stamp = Join-Path $Root "out/build-$Configuration"
    $projects = @(Get-HmSolutionProjects $Root)
    $inputsKey = Get-HmCompileInputsKey -Root $Root -Configuration $Configuration -Projects $projects
    $recorded = @(if (Test-Path -LiteralPath "$stamp.inputs") { Get-Content -LiteralPath "$stamp.inputs" })
    if ($recorded.Count -eq 2 -and $recorded[0] -eq $inputsKey -and $recorded[1] -eq (Get-HmBuildOutputsKey $projects $Configuration)) {
        Write-Host '   sources, SDK and commit unchanged since the last build: nothing to compile'
        return
    }
    Remove-Item -LiteralPath "$stamp.inputs" -ErrorAction SilentlyContinue
    Invoke-HmDotnet @('build', (Join-Path $Root 'HybridMesh.sln'), '-c', $Configuration, '-nologo', '-v:q', '-clp:ErrorsOnly')
    New-Item -ItemType Directory -Force -Path (Split-Path $stamp) | Out-Null
    Set-Content -LiteralPath "$stamp.inputs" -Value $inputsKey, (Get-HmBuildOutputsKey $projects $Configuration)
}

function Get-HmSolutionProjects([string] $Root) {
    # The folders of the projects HybridMesh.sln builds.
    foreach ($match in [regex]::Matches((Get-Content -Raw (Join-Path $Root 'HybridMesh.sln')), '"([^"]+\.csproj)"')) {
        Get-Item (Join-Path $Root ($match.Groups[1].Value -replace '\\', '/'))
    }
}

function Get-HmCompileInputsKey([string] $Root, [string] $Configuration, [IO.FileInfo[]] $Projects) {
    # Every file of every project folder but its bin/ and obj/ (sources, project files, content), the files that
    # configure every build, the SDKs the build may pick (global.json chooses among them) and the commit the SDK
    # stamps into the assemblies. Hashed with .NET directly: Get-FileHash per file made this cost seconds.
    $files = [Collections.Generic.List[string]]::new()
    foreach ($folder in $Projects | ForEach-Object { $_.DirectoryName } | Sort-Object -Unique) { Add-HmSourceFiles $folder $files }
    foreach ($name in 'HybridMesh.sln', 'Directory.Build.props', 'Directory.Packages.props', 'Directory.Build.targets', 'global.json',
        'nuget.config', 'NuGet.Config', '.editorconfig') {
        $path = Join-Path $Root $name
        if ([IO.File]::Exists($path)) { $files.Add($path) }
    }
    $lines = [Collections.Generic.List[string]]::new()
    foreach ($file in $files | Sort-Object -Unique) {
        $lines.Add(('{0} {1}' -f [IO.Path]::GetRelativePath($Root, $file).Replace('\', '/'),
            [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($file)))))
    }
    $dotnet = Get-Item (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source
    if ($dotnet.LinkTarget) { $dotnet = Get-Item $dotnet.ResolvedTarget }
    $sdks = @(Get-ChildItem -LiteralPath (Join-Path $dotnet.DirectoryName 'sdk') -Directory -ErrorAction SilentlyContinue | ForEach-Object Name)
    $commit = (& git -C $Root rev-parse HEAD 2>$null) -join ''
    $lines.Add("configuration $Configuration"); $lines.Add("sdks $($dotnet.FullName) $($sdks -join ' ')"); $lines.Add("commit $commit")
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))))
}

function Add-HmSourceFiles([string] $Folder, [Collections.Generic.List[string]] $Files) {
    # The files under $Folder, not descending into bin/ or obj/ folders (build outputs).
    foreach ($file in [IO.Directory]::EnumerateFiles($Folder)) { $Files.Add($file) }
    foreach ($sub in [IO.Directory]::EnumerateDirectories($Folder)) {
        if ([IO.Path]::GetFileName($sub) -notin 'bin', 'obj') { Add-HmSourceFiles $sub $Files }
    }
}

function Get-HmBuildOutputsKey([IO.FileInfo[]] $Projects, [string] $Configuration) {
    # Names, sizes and times of what the build left in each project's bin/<Configuration> and its restore output: a
    # file removed, replaced or rebuilt differently since (by hand, by another configuration's properties) shows here.
    $lines = foreach ($project in $Projects) {
        foreach ($folder in (Join-Path $project.DirectoryName "bin/$Configuration"), (Join-Path $project.DirectoryName 'obj/project.assets.json')) {
            if (-not (Test-Path -LiteralPath $folder)) { "$folder missing"; continue }
            foreach ($file in Get-Item -LiteralPath $folder | ForEach-Object { if ($_.PSIsContainer) { Get-ChildItem -LiteralPath $_.FullName -Recurse -File } else { $_ } }) {
                '{0} {1} {2}' -f $file.FullName, $file.Length, $file.LastWriteTimeUtc.Ticks
            }
        }
    }
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))))
}

function New-HmModuleLayout([string] $Root, [string] $Configuration) {
    # out/Modules/HybridMesh/<version> (and the lab module) from the compiled projects; returns the module folder.
    $version = Get-HmModuleVersion $Root
    $layout = Join-Path $Root "out/Modules/HybridMesh/$version"
    # Publishing, copying, help and manifests cost ~7 CPU s and most of a re-run's wall time before Pester: they are
    # skipped when every input hashes as it did when out/Modules was made and out/Modules still holds what was made
    # then (docs/design/test-suite.md). A commit changes the assemblies (their informational version), so the first
    # run after one lays the module out again.
    $stamp = Join-Path $Root 'out/Modules'
    $labLayout = Join-Path $Root "out/Modules/HybridMesh.Lab/$version"
    $inputsKey = Get-HmLayoutInputsKey -Root $Root -Configuration $Configuration
    if (Test-HmLayoutStamp -Stamp $stamp -InputsKey $inputsKey -Folders @($layout, $labLayout)) {
        Write-Host "   module: $layout (inputs unchanged)"
        return $layout
    }
    Remove-Item -LiteralPath "$stamp.inputs" -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $Root 'out/Modules/HybridMesh')
    $deps = Join-Path $layout 'deps'
    New-Item -ItemType Directory -Force -Path $deps, (Join-Path $layout 'en-US') | Out-Null

    # The layout comes from 'dotnet publish' output, never from a list of file names (docs/design/assemblies.md):
    # deps/ is the Engine's publish folder as it is (its packages, runtimes/<rid>/ builds and HybridMesh.Engine.deps.json,
    # which the private load context resolves with); the root holds the cmdlet assembly and the projects it shares
    # with the Engine in the default context, i.e. every "project" library of HybridMesh.deps.json but the Engine.
    $enginePublish, $cmdletPublish, $labPublish = Invoke-HmPublish -Root $Root -Configuration $Configuration -Project @(
        'src/HybridMesh.Engine/HybridMesh.Engine.csproj', 'src/HybridMesh/HybridMesh.csproj', 'src/HybridMesh.Lab/HybridMesh.Lab.csproj')
    Copy-Item -Recurse -Path (Join-Path $enginePublish '*') -Destination $deps

    $rootAssemblies = @('HybridMesh') + @(Get-HmProjectLibraries (Join-Path $cmdletPublish 'HybridMesh.deps.json') |
        Where-Object { $_ -ne 'HybridMesh.Engine' })
    Get-ChildItem $cmdletPublish -File |
        Where-Object { $_.Extension -in '.dll', '.pdb', '.xml' -and $_.BaseName -in $rootAssemblies } |
        Copy-Item -Destination $layout

    $formats = @(Get-ChildItem (Join-Path $Root 'module/Formats') -Filter '*.Format.ps1xml' -ErrorAction SilentlyContinue | Sort-Object Name)
    $formats | Copy-Item -Destination $layout
    foreach ($notice in 'LICENSE', 'THIRD-PARTY-NOTICES.md') { Copy-Item (Join-Path $Root $notice) $layout -ErrorAction Stop }

    # Export lists and command metadata come from the compiled cmdlets, read in a child process (no lock on the
    # dll here). The help generator uses the same metadata for syntax and parameter attributes.
    # The child pwsh costs seconds: it is skipped when the assemblies at the root and the script are the same bytes as
    # last time (the build is deterministic, so an unchanged source gives the same HybridMesh.dll).
    $exportsFile = Join-Path $Root 'out/commands.json'
    $metadataScript = Join-Path $Root 'tools/Export-CommandMetadata.ps1'
    $metadataKey = Get-HmContentKey @((Get-ChildItem $layout -Filter '*.dll' -File).FullName + $metadataScript)
    if (-not (Test-HmContentKey $exportsFile $metadataKey)) {
        $probe = "& '$metadataScript' -ModuleDll '$(Join-Path $layout 'HybridMesh.dll')' -OutputPath '$exportsFile'"
        if ((Invoke-HmChildPwsh $probe) -ne 0) { throw 'Could not read the cmdlets from HybridMesh.dll.' }
        Set-HmContentKey $exportsFile $metadataKey
    }
    $exports = Get-Content -Raw $exportsFile | ConvertFrom-Json

    # Help: MAML for the cmdlets and about_ topics, built from docs/en-US by the project's own generator.
    & (Join-Path $Root 'tools/Build-Help.ps1') -DocsPath (Join-Path $Root 'docs/en-US') -CommandMetadataPath $exportsFile `
        -OutputPath (Join-Path $layout 'en-US')
    $quote = { param($items) (@($items) | Where-Object { $_ } | ForEach-Object { "'$_'" }) -join ', ' }

    $manifest = (Get-Content -Raw (Join-Path $Root 'module/HybridMesh.psd1')).
        Replace('{{ModuleVersion}}', $version).
        Replace('{{CmdletsToExport}}', (& $quote $exports.Cmdlets)).
        Replace('{{AliasesToExport}}', (& $quote $exports.Aliases)).
        Replace('{{FormatsToProcess}}', (& $quote ($formats | ForEach-Object Name)))
    $manifestPath = Join-Path $layout 'HybridMesh.psd1'
    Set-Content -LiteralPath $manifestPath -Value $manifest -Encoding utf8NoBOM
    Test-ModuleManifest $manifestPath | Out-Null
    Write-Host "   module: $layout ($($exports.Cmdlets.Count) cmdlets)"
    New-HmLabModuleLayout -Root $Root -Version $version -LabPublish $labPublish | Out-Null
    Set-Content -LiteralPath "$stamp.inputs" -Value $inputsKey, (Get-HmContentKey @($layout, $labLayout))
    return $layout
}

function Get-HmLayoutInputsKey([string] $Root, [string] $Configuration) {
    # Everything the two module folders are made from: the compiled projects under src/ (bin/<Configuration>, and the
    # package graph in obj/project.assets.json that publish resolves from the immutable NuGet cache), the module's
    # sources (manifests, formats, the lab script module), the help sources and generator, the build scripts and the
    # files copied as they are. Paths relative to the repository, so that moving a file between folders changes the key.
    $files = @(
        foreach ($project in Get-ChildItem (Join-Path $Root 'src') -Directory) {
            $bin = Join-Path $project.FullName "bin/$Configuration"
            if (Test-Path -LiteralPath $bin) { Get-ChildItem -LiteralPath $bin -Recurse -File }
            Get-ChildItem -LiteralPath (Join-Path $project.FullName 'obj') -Filter 'project.assets.json' -File -ErrorAction SilentlyContinue
        }
        foreach ($folder in 'module', 'docs/en-US', 'tools/Help') { Get-ChildItem (Join-Path $Root $folder) -Recurse -File }
        foreach ($file in 'tools/BuildHelpers.ps1', 'tools/Build-Help.ps1', 'tools/Export-CommandMetadata.ps1', 'tools/Publish.proj',
            'Directory.Build.props', 'Directory.Packages.props', 'LICENSE', 'THIRD-PARTY-NOTICES.md') { Get-Item (Join-Path $Root $file) }
    )
    $lines = foreach ($file in $files | Sort-Object FullName) {
        '{0} {1}' -f [IO.Path]::GetRelativePath($Root, $file.FullName).Replace('\', '/'),
            [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($file.FullName)))
    }
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))))
}

function Test-HmLayoutStamp([string] $Stamp, [string] $InputsKey, [string[]] $Folders) {
    # True when $Stamp.inputs names these inputs and the folders still hold the files laid out from them (a hand edit
    # under out/Modules, or a folder removed, makes the build lay them out again).
    $keyFile = "$Stamp.inputs"
    if (-not (Test-Path -LiteralPath $keyFile)) { return $false }
    $recorded = @(Get-Content -LiteralPath $keyFile)
    if ($recorded.Count -ne 2 -or $recorded[0] -ne $InputsKey) { return $false }
    foreach ($folder in $Folders) { if (-not (Test-Path -LiteralPath $folder -PathType Container)) { return $false } }
    return $recorded[1] -eq (Get-HmContentKey $Folders)
}

function New-HmLabModuleLayout([string] $Root, [string] $Version, [string] $LabPublish) {
    # The second module: HybridMesh.Lab, a script module that starts the lab server shipped under lab/.
    $layout = Join-Path $Root "out/Modules/HybridMesh.Lab/$Version"
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $Root 'out/Modules/HybridMesh.Lab')
    $server = Join-Path $layout 'lab'
    New-Item -ItemType Directory -Force -Path $server | Out-Null
    Copy-Item (Join-Path $Root 'module/HybridMesh.Lab/HybridMesh.Lab.psm1') $layout
    foreach ($notice in 'LICENSE', 'THIRD-PARTY-NOTICES.md') { Copy-Item (Join-Path $Root $notice) $layout -ErrorAction Stop }
    Copy-Item -Recurse -Path (Join-Path $LabPublish '*') -Destination $server
    $manifest = (Get-Content -Raw (Join-Path $Root 'module/HybridMesh.Lab/HybridMesh.Lab.psd1')).Replace('{{ModuleVersion}}', $Version)
    $manifestPath = Join-Path $layout 'HybridMesh.Lab.psd1'
    Set-Content -LiteralPath $manifestPath -Value $manifest -Encoding utf8NoBOM
    Test-ModuleManifest $manifestPath | Out-Null
    Write-Host "   module: $layout (lab)"
    return $layout
}

function Get-HmContentKey([string[]] $Path) {
    # One SHA-256 over the names and contents of the files given (folders: every file under them, by relative path).
    $lines = foreach ($item in $Path | Sort-Object) {
        if (Test-Path -LiteralPath $item -PathType Container) {
            foreach ($file in Get-ChildItem -LiteralPath $item -Recurse -File | Sort-Object FullName) {
                '{0} {1}' -f [IO.Path]::GetRelativePath($item, $file.FullName).Replace('\', '/'), (Get-FileHash -LiteralPath $file.FullName).Hash
            }
        }
        else { '{0} {1}' -f [IO.Path]::GetFileName($item), (Get-FileHash -LiteralPath $item).Hash }
    }
    $bytes = [Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes))
}

function Test-HmContentKey([string] $Output, [string] $Key) {
    # Whether $Output exists and was made from inputs with this key (Set-HmContentKey wrote it beside the output).
    $keyFile = "$Output.inputs"
    return (Test-Path -LiteralPath $Output) -and (Test-Path -LiteralPath $keyFile) -and ((Get-Content -Raw -LiteralPath $keyFile).Trim() -eq $Key)
}

function Set-HmContentKey([string] $Output, [string] $Key) { Set-Content -LiteralPath "$Output.inputs" -Value $Key }

function New-HmPackage([string] $Root, [string] $ModuleDirectory) {
    Write-Host '== Package'
    # Publish-PSResource in a child pwsh costs seconds; the .nupkg files of the last run are kept when both module
    # folders hold the same files with the same bytes as then (a re-run with no change, as a test run mostly is).
    $labDirectory = Join-Path (Split-Path (Split-Path $ModuleDirectory)) "HybridMesh.Lab/$(Split-Path $ModuleDirectory -Leaf)"
    $packageKey = Get-HmContentKey @($ModuleDirectory, $labDirectory)
    $last = Join-Path $Root 'out/packages.txt'
    if (Test-HmContentKey $last $packageKey) {
        $kept = @(Get-Content -LiteralPath $last)
        if ($kept.Count -eq 2 -and (Test-Path -LiteralPath $kept[0]) -and (Test-Path -LiteralPath $kept[1])) {
            Write-Host "   packages: $($kept -join ', ') (module folders unchanged)"
            return $kept[0]
        }
    }
    Remove-Item -LiteralPath $last -ErrorAction SilentlyContinue
    # PSResourceGet writes the .nupkg into a local folder repository. It runs in a child pwsh with a throw-away
    # HOME so that registering the repository never touches the user's own PSResourceGet settings.
    $work = Join-Path $Root 'out/package'
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $work
    $repo = Join-Path $work 'repo'
    $tempHome = Join-Path $work 'home'
    New-Item -ItemType Directory -Force -Path $repo, $tempHome | Out-Null
    $command = "Register-PSResourceRepository -Name HybridMeshBuild -Uri '$repo' -Trusted; " +
               "Publish-PSResource -Path '$ModuleDirectory' -Repository HybridMeshBuild -ErrorAction Stop; " +
               "Publish-PSResource -Path '$labDirectory' -Repository HybridMeshBuild -ErrorAction Stop"
    $environment = @{ HOME = $tempHome; XDG_DATA_HOME = (Join-Path $tempHome '.local/share'); XDG_CONFIG_HOME = (Join-Path $tempHome '.config') }
    if ($IsWindows) { $environment.LOCALAPPDATA = $tempHome; $environment.USERPROFILE = $tempHome }
    # .NET reports a special folder only when it exists; otherwise PSResourceGet would write into the current folder.
    $environment.Values | ForEach-Object { New-Item -ItemType Directory -Force -Path $_ | Out-Null }
    $code = Invoke-HmChildPwsh $command $environment
    $nupkg = Get-ChildItem $repo -Filter '*.nupkg' | Where-Object Name -Match '^HybridMesh\.\d' | Select-Object -First 1
    $labNupkg = Get-ChildItem $repo -Filter 'HybridMesh.Lab.*.nupkg' | Select-Object -First 1
    if ($code -ne 0 -or -not $nupkg -or -not $labNupkg) { throw 'Publish-PSResource did not produce both .nupkg files.' }
    Remove-Item (Join-Path $Root 'out/*.nupkg') -ErrorAction SilentlyContinue
    Copy-Item $labNupkg.FullName (Join-Path $Root 'out') -Force
    $target = Join-Path $Root "out/$($nupkg.Name)"
    Copy-Item $nupkg.FullName $target -Force
    $labTarget = Join-Path $Root "out/$($labNupkg.Name)"
    Write-Host "   packages: $target, $labTarget"
    Set-Content -LiteralPath $last -Value $target, $labTarget
    Set-HmContentKey $last $packageKey
    return $target
}

function Get-HmXunitProjects([string] $Root) {
    # Every xunit project under tests/ (HybridMesh.Engine.Tests, HybridMesh.Lab.Tests, ...): none is named here.
    Get-ChildItem (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse -File | Sort-Object Name
}

function Start-HmXunitTests([string] $Root, [string] $Configuration, [IO.FileInfo] $Project) {
    # 'dotnet test' of one project in the background (its output goes to a log printed by Complete-HmXunitTests), so
    # that the xunit projects and Pester run at the same time: most of their time is spent waiting on labs.
    $results = Join-Path $Root 'out/TestResults'
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $trxName = "$($Project.BaseName).trx"
    $log = Join-Path $results "$($Project.BaseName).log"
    $times = Join-Path $results "$($Project.BaseName).cpu"
    Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $results $trxName), $log, "$log.err", $times
    $arguments = @('test', $Project.FullName, '-c', $Configuration, '--no-build', '--nologo',
        '--logger', "trx;LogFileName=$trxName", '--logger', 'console;verbosity=minimal', '--results-directory', $results)
    # At a lower priority than Pester: the Pester groups are the run's critical path, and each runs one test at a time
    # that often waits on its lab. Below them, xunit runs in those waits instead of taking the core from a group that
    # has work, and both cores stay busy to the end. Four runs side by side: 81-97 s against 89-103 s, the same CPU
    # seconds (docs/design/test-suite.md, "xunit below Pester").
    if ($IsWindows) {
        $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -RedirectStandardOutput $log `
            -RedirectStandardError "$log.err" -NoNewWindow -PassThru
        # Processes it starts (testhost) inherit a below-normal priority class.
        try { $process.PriorityClass = [Diagnostics.ProcessPriorityClass]::BelowNormal } catch { Write-Verbose "priority not lowered: $_" }
    }
    else {
        # Through sh, whose 'times' then reports the CPU seconds of dotnet test and every process it waited for; under
        # nice, which every process and thread it starts inherits.
        $command = @('dotnet') + $arguments
        if (Get-Command nice -CommandType Application -ErrorAction SilentlyContinue) { $command = @('nice', '-n', '15') + $command }
        $start = [Diagnostics.ProcessStartInfo]::new('sh')
        foreach ($argument in @('-c', $script:HmTimedCommand, 'sh', $times, $log, "$log.err") + $command) {
            $start.ArgumentList.Add($argument)
        }
        $start.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($start)
    }
    return [pscustomobject]@{ Project = $Project; Process = $process; Log = $log; Trx = (Join-Path $results $trxName); Times = $times }
}

# sh -c script: $1 = file for 'times', $2/$3 = stdout/stderr files, the rest = the command. The exit code is the command's.
$script:HmTimedCommand = 'times_file=$1; out=$2; err=$3; shift 3; "$@" >"$out" 2>"$err"; rc=$?; times >"$times_file"; exit $rc'

function Read-HmCpuSeconds([string] $TimesFile) {
    # The children's user and system time from the second line of sh's 'times' output ("0m12.34s 0m1.20s"); $null
    # when there is none (Windows, or the step did not finish).
    if (-not $TimesFile -or -not (Test-Path -LiteralPath $TimesFile)) { return $null }
    $lines = @(Get-Content -LiteralPath $TimesFile)
    if ($lines.Count -lt 2) { return $null }
    $seconds = 0.0
    foreach ($match in [regex]::Matches($lines[1], '(\d+)m([\d.,]+)s')) {
        $seconds += [int] $match.Groups[1].Value * 60 + [double] ($match.Groups[2].Value -replace ',', '.')
    }
    return $seconds
}

function Enter-HmRunTempFolder {
    # A fresh folder under the system temp folder becomes the temp folder of every process started from here on
    # (TMPDIR on Linux and macOS, TEMP and TMP on Windows); returns what to restore. See build.ps1, Test.
    $names = if ($IsWindows) { 'TEMP', 'TMP' } else { @('TMPDIR') }
    $saved = @{}
    foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $path = Join-Path ([IO.Path]::GetTempPath()) ("hm-run-{0}" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
    [IO.Directory]::CreateDirectory($path) | Out-Null
    foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $path) }
    return [pscustomobject]@{ Path = $path; Saved = $saved }
}

function Exit-HmRunTempFolder($RunTemp) {
    # Restores the temp folder variables and deletes the run's folder with whatever the tests left in it.
    if (-not $RunTemp) { return }
    foreach ($name in $RunTemp.Saved.Keys) { [Environment]::SetEnvironmentVariable($name, $RunTemp.Saved[$name]) }
    Remove-Item -Recurse -Force -LiteralPath $RunTemp.Path -ErrorAction SilentlyContinue
}

function Get-HmOwnCpuSeconds {
    # CPU seconds of this process and of every child it has waited for (Linux: /proc/self/stat utime, stime, cutime,
    # cstime in clock ticks of 1/100 s); $null where that is not known.
    if (-not $IsLinux -or -not (Test-Path /proc/self/stat)) { return $null }
    $stat = Get-Content -Raw /proc/self/stat
    # The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
    return ([long] $fields[11] + [long] $fields[12] + [long] $fields[13] + [long] $fields[14]) / 100.0
}

function Complete-HmXunitTests($Run) {
    # Waits for a Start-HmXunitTests run, prints its output and reads its counts from the .trx file.
    $Run.Process.WaitForExit()
    Write-Host "== xunit: $($Run.Project.BaseName)"
    Get-Content -LiteralPath $Run.Log, "$($Run.Log).err" -ErrorAction SilentlyContinue | Out-Host
    $cpu = Read-HmCpuSeconds $Run.Times
    if (-not (Test-Path $Run.Trx)) { return [pscustomobject]@{ Ran = $false; Passed = 0; Failed = 0; Skipped = 0; CpuSeconds = $cpu } }
    [xml] $doc = Get-Content -Raw $Run.Trx
    $counters = $doc.TestRun.ResultSummary.Counters
    return [pscustomobject]@{
        Ran        = $true
        Passed     = [int] $counters.passed
        Failed     = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        Skipped    = [int] $counters.notExecuted
        CpuSeconds = $cpu
    }
}

function Invoke-HmPesterTests([string] $Root, [string] $ModuleDirectory, [string] $Nupkg, [string[]] $Path, [string] $Configuration,
    [int] $Jobs = 1, [string] $PwshDll) {
    Write-Host '== Pester'
    $packages = Get-HmNuGetPackagesFolder
    $summary = Join-Path $Root 'out/TestResults/pester-summary.json'
    New-Item -ItemType Directory -Force -Path (Split-Path $summary) | Out-Null
    Remove-Item -Force -ErrorAction SilentlyContinue $summary
    # From a shell, "-PesterPath a,b" arrives as one string.
    $Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
    $paths = if ($Path) { ($Path | ForEach-Object { "'$(Resolve-Path $_)'" }) -join ',' } else { "'$(Join-Path $Root 'tests/Pester')'" }
    $command = "& '$(Join-Path $Root 'tools/Invoke-PesterTests.ps1')' -Path $paths -SummaryPath '$summary' -Jobs $Jobs"
    $labModule = Join-Path (Split-Path (Split-Path $ModuleDirectory)) "HybridMesh.Lab/$(Split-Path $ModuleDirectory -Leaf)"
    $environment = @{
        HYBRIDMESH_MODULE_PATH  = $ModuleDirectory
        HYBRIDMESH_NUPKG        = $Nupkg
        HYBRIDMESH_PESTER       = (Join-Path $packages 'pester/6.2.0/tools/Pester.psd1')
        HYBRIDMESH_OLD_YAMLDOTNET = (Join-Path $packages 'yamldotnet/13.7.1/lib/net7.0/YamlDotNet.dll')
        HYBRIDMESH_REPO_ROOT    = $Root
        HYBRIDMESH_LAB_MODULE_PATH = $labModule
        # The shipped lab server; tests start it through Start-MeshLab (Start-TestLab), this is for direct checks.
        HYBRIDMESH_LAB          = (Join-Path $labModule 'lab/HybridMesh.Lab.dll')
    }
    $times = Join-Path (Split-Path $summary) 'pester.cpu'
    Remove-Item -Force -ErrorAction SilentlyContinue $times
    Invoke-HmChildPwsh $command $environment -TimesFile $times -PwshDll $PwshDll | Out-Null
    $cpu = Read-HmCpuSeconds $times
    if (-not (Test-Path $summary)) { return [pscustomobject]@{ Ran = $false; Passed = 0; Failed = 0; Skipped = 0; CpuSeconds = $cpu } }
    $result = Get-Content -Raw $summary | ConvertFrom-Json
    return [pscustomobject]@{ Ran = [bool] $result.Ran; Passed = [int] $result.Passed; Failed = [int] $result.Failed; Skipped = [int] $result.Skipped
        CpuSeconds = $cpu }
}

function Invoke-HmScriptAnalyzer([string] $Root) {
    # PSScriptAnalyzer is not served by the registries this project reaches; run it only where a user installed it.
    if (-not (Get-Module -ListAvailable PSScriptAnalyzer)) {
        Write-Host '== PSScriptAnalyzer: not installed here, skipped (Install-PSResource PSScriptAnalyzer to enable).'
        return 0
    }
    Write-Host '== PSScriptAnalyzer'
    $settings = Join-Path $Root 'PSScriptAnalyzerSettings.psd1'
    $findings = foreach ($folder in 'tools', 'tests/Pester', 'bench') {
        Invoke-ScriptAnalyzer -Path (Join-Path $Root $folder) -Recurse -Settings $settings
    }
    $findings += Invoke-ScriptAnalyzer -Path (Join-Path $Root 'build.ps1') -Settings $settings
    $findings | Format-Table -AutoSize | Out-Host
    return @($findings | Where-Object Severity -EQ 'Error').Count
}
