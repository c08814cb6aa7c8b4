# What lets a re-run of build.ps1 skip 'dotnet build' and the module layout (docs/design/test-suite.md): the keys must
# change with every input that changes the outputs, stay the same for what does not, and a stamp must not survive a
# change to what was built. Exercised on a small repository in a temp folder, not on this one.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildHelpers.ps1')

    function New-FakeRepository {
        $root = New-TestDirectory
        $solution = 'Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "Lib", "src\Lib\Lib.csproj", "{00000000-0000-0000-0000-000000000001}"'
        Set-Content (Join-Path $root 'HybridMesh.sln') $solution
        foreach ($file in 'src/Lib/Lib.csproj', 'src/Lib/Code.cs', 'src/Lib/bin/Release/net8.0/Lib.dll', 'src/Lib/obj/project.assets.json',
            'module/HybridMesh.psd1', 'docs/en-US/Get-Thing.md', 'tools/Help/Write.ps1', 'tools/BuildHelpers.ps1', 'tools/Build-Help.ps1',
            'tools/Export-CommandMetadata.ps1', 'tools/Publish.proj', 'Directory.Build.props', 'Directory.Packages.props', 'LICENSE',
            'THIRD-PARTY-NOTICES.md', 'out/Modules/HybridMesh/1.0/HybridMesh.dll', 'out/Modules/HybridMesh.Lab/1.0/lab.dll') {
            $path = Join-Path $root $file
            New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
            Set-Content $path "content of $file"
        }
        return $root
    }

    function Get-CompileKey([string] $Root) {
        Get-HmCompileInputsKey -Root $Root -Configuration Release -Projects @(Get-HmSolutionProjects $Root)
    }
}

Describe 'Build stamps' -Tag Unit {
    It 'the compile key follows sources and project files, not bin/ or obj/' {
        $root = New-FakeRepository
        $key = Get-CompileKey $root
        Get-CompileKey $root | Should -BeExactly $key

        Set-Content (Join-Path $root 'src/Lib/bin/Release/net8.0/Lib.dll') 'rebuilt'
        Set-Content (Join-Path $root 'src/Lib/obj/project.assets.json') 'restored'
        Get-CompileKey $root | Should -BeExactly $key

        Set-Content (Join-Path $root 'src/Lib/Code.cs') 'changed'
        $changed = Get-CompileKey $root
        $changed | Should -Not -Be $key
        Set-Content (Join-Path $root 'Directory.Packages.props') 'another version'
        Get-CompileKey $root | Should -Not -Be $changed
        Get-HmCompileInputsKey -Root $root -Configuration Debug -Projects @(Get-HmSolutionProjects $root) | Should -Not -Be (Get-CompileKey $root)
    }

    It 'the outputs key sees a rebuilt or removed output' {
        $root = New-FakeRepository
        $projects = @(Get-HmSolutionProjects $root)
        $key = Get-HmBuildOutputsKey $projects Release
        Get-HmBuildOutputsKey $projects Release | Should -BeExactly $key
        Set-Content (Join-Path $root 'src/Lib/bin/Release/net8.0/Lib.dll') 'rebuilt, longer than before'
        Get-HmBuildOutputsKey $projects Release | Should -Not -Be $key
        Remove-Item -Recurse (Join-Path $root 'src/Lib/bin')
        Get-HmBuildOutputsKey $projects Release | Should -Not -Be $key
    }

    It 'a layout stamp holds only for the same inputs and the same files under out/Modules' {
        $root = New-FakeRepository
        $folders = @((Join-Path $root 'out/Modules/HybridMesh/1.0'), (Join-Path $root 'out/Modules/HybridMesh.Lab/1.0'))
        $stamp = Join-Path $root 'out/Modules'
        $inputs = Get-HmLayoutInputsKey -Root $root -Configuration Release
        Test-HmLayoutStamp -Stamp $stamp -InputsKey $inputs -Folders $folders | Should -BeFalse  # none yet
        Set-Content "$stamp.inputs" -Value $inputs, (Get-HmContentKey $folders)
        Test-HmLayoutStamp -Stamp $stamp -InputsKey $inputs -Folders $folders | Should -BeTrue

        Set-Content (Join-Path $root 'docs/en-US/Get-Thing.md') 'new help'
        $newInputs = Get-HmLayoutInputsKey -Root $root -Configuration Release
        $newInputs | Should -Not -Be $inputs
        Test-HmLayoutStamp -Stamp $stamp -InputsKey $newInputs -Folders $folders | Should -BeFalse

        Set-Content (Join-Path $folders[1] 'lab.dll') 'edited by hand'
        Test-HmLayoutStamp -Stamp $stamp -InputsKey $inputs -Folders $folders | Should -BeFalse
    }
}
