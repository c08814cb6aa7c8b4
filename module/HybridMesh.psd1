@{
    # Template: build.ps1 fills the {{...}} tokens. The version comes from Directory.Build.props only;
    # the export lists are read from the compiled cmdlet classes, so they are explicit in the shipped manifest.
    RootModule           = 'HybridMesh.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5d1b7a0e-6c2f-4f3e-9a51-7e0c3b8d2f41'
    Author               = 'HybridMesh contributors'
    CompanyName          = 'HybridMesh contributors'
    Copyright            = '(c) HybridMesh contributors. MIT License.'
    Description          = 'Cloud Service Mesh (Istio) hybrid mesh across GKE and on-premises clusters: east-west gateways, service exposure, endpoint discovery and connectivity checks as PowerShell cmdlets. No istioctl, asmcli, gcloud or kubectl needed.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    # Never list KubernetesClient, YamlDotNet or Google assemblies here: that would load them into the default
    # load context and defeat the module's isolation (they live in deps/, loaded privately).
    RequiredAssemblies   = @()
    FormatsToProcess     = @({{FormatsToProcess}})
    CmdletsToExport      = @({{CmdletsToExport}})
    AliasesToExport      = @({{AliasesToExport}})
    FunctionsToExport    = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Kubernetes', 'Istio', 'ServiceMesh', 'GKE', 'Anthos', 'CloudServiceMesh', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/license/mit'
            ReleaseNotes = 'See README.md.'
        }
    }
}
