# Issue 10.12: a failing exec credential plugin (gke-gcloud-auth-plugin without a gcloud account) must not write to the
# console behind PowerShell's back; its stderr and exit code belong in ExecPluginFailed's message. Run in a child
# pwsh whose stdout and stderr are both captured, so anything the plugin printed directly would show up there.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

Describe 'A failing exec credential plugin' -Tag Unit -Skip:$IsWindows {
    It 'is ExecPluginFailed with its stderr and exit code, and nothing else reaches the console' {
        $dir = New-TestDirectory
        $plugin = Join-Path $dir 'fake-auth-plugin'
        Set-Content -LiteralPath $plugin -Value "#!/bin/sh`necho 'MARKER-no-active-account: run gcloud auth login' >&2`nexit 7`n"
        chmod +x $plugin
        $kubeconfig = Join-Path $dir 'exec.yaml'
        Set-Content -LiteralPath $kubeconfig -Value @"
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:9"}
contexts:
- name: exec-ctx
  context: {cluster: c, user: u}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $plugin
      interactiveMode: Never
"@
        $script = @"
Import-Module '$ModuleManifest'
Install-EastWestGateway -Kubeconfig '$kubeconfig' -Context exec-ctx -Network n -Confirm:`$false -ErrorAction SilentlyContinue -ErrorVariable failures
'ID=' + `$failures[0].FullyQualifiedErrorId
'STDERR-IN-MESSAGE=' + (`$failures[0].Exception.Message -match 'MARKER-no-active-account')
'CODE-IN-MESSAGE=' + (`$failures[0].Exception.Message -match 'code 7')
"@
        $lines = @(Invoke-ChildPwsh -Script $script -Environment @{ GCE_METADATA_HOST = '127.0.0.1:9' } | ForEach-Object { "$_" })
        $lines | Should -Contain 'ID=HybridMesh.ExecPluginFailed,HybridMesh.Commands.InstallEastWestGatewayCommand'
        $lines | Should -Contain 'STDERR-IN-MESSAGE=True'
        $lines | Should -Contain 'CODE-IN-MESSAGE=True'
        @($lines | Where-Object { $_ -match 'MARKER-no-active-account' }) | Should -HaveCount 0 -Because 'the plugin''s stderr must not reach the console'
        Remove-Item -Recurse -Force $dir
    }
}
