@{
    # Template: build.ps1 fills {{ModuleVersion}} (from Directory.Build.props) and copies the lab server under lab/.
    RootModule           = 'HybridMesh.Lab.psm1'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '0b6c3f57-8a4e-4f0e-b7f2-2f9d8e1c6a93'
    Author               = 'HybridMesh contributors'
    CompanyName          = 'HybridMesh contributors'
    Copyright            = '(c) HybridMesh contributors. MIT License.'
    Description          = 'A lab for testing HybridMesh runbooks without clusters or a cloud account: simulated Kubernetes API servers (HTTPS on 127.0.0.1, with an ASM control plane preset) and a simulated Google fleet. Needs the .NET 10 runtime with ASP.NET Core.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FunctionsToExport    = @('Start-MeshLab', 'Stop-MeshLab', 'Add-MeshLabFault', 'Clear-MeshLabFault', 'Get-MeshLabRequest', 'Set-MeshLabLoadBalancer')
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Kubernetes', 'Istio', 'Testing', 'Pester', 'HybridMesh', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/license/mit'
        }
    }
}
