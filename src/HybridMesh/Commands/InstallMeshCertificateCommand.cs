using System.Management.Automation;
using System.Security;
using HybridMesh.Completion;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// Install-MeshCertificate: one root of trust in every cluster (docs/design/shared-root.md). Issues each cluster an
/// intermediate under the root and writes Secret istio-system/cacerts; -RestartIstiod makes istiod load it and
/// proves the cluster serves the new root. -ManifestOnly and -OutputDirectory contact no cluster.
/// ConfirmImpact is High: replacing a cluster's CA and restarting istiod change whom the whole mesh trusts.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "MeshCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(MeshCertificateInstall))]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class InstallMeshCertificateCommand : MeshTargetCmdlet
{
    /// <summary>The root from New-MeshCertificateAuthority.</summary>
    [Parameter]
    [Alias("CA")]
    public MeshCertificateAuthority? CertificateAuthority { get; set; }

    /// <summary>PEM file of the root certificate (instead of -CertificateAuthority).</summary>
    [Parameter]
    public string? CertificatePath { get; set; }

    /// <summary>PEM file of the root's private key (with -CertificatePath).</summary>
    [Parameter]
    public string? KeyPath { get; set; }

    /// <summary>Password of an encrypted -KeyPath.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>The control-plane revision whose istiod is restarted (default: every istiod).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    /// <summary>Restart istiod where cacerts changed or is not served yet, and verify the cluster serves the new root.</summary>
    [Parameter]
    public SwitchParameter RestartIstiod { get; set; }

    /// <summary>Seconds the istiod rollout and the served-root verification may take per cluster.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>Reissue intermediates that expire within this many days.</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int RenewWithinDays { get; set; } = Engine.Steps.Certificates.CertificateInstallRequest.DefaultRenewWithinDays;

    /// <summary>Replace a cacerts Secret of another root; take over fields other tools own; overwrite files.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Print the cacerts Secrets as YAML instead of applying them (no cluster is contacted).</summary>
    [Parameter]
    public SwitchParameter ManifestOnly { get; set; }

    /// <summary>With -ManifestOnly: include ca-key.pem, the intermediate's private key.</summary>
    [Parameter]
    public SwitchParameter IncludeCredentials { get; set; }

    /// <summary>Write the four files per cluster into this directory, for asmcli install --ca citadel (no cluster is contacted).</summary>
    [Parameter]
    public string? OutputDirectory { get; set; }

    protected override string? InputRevision => string.IsNullOrEmpty(Revision) ? null : Revision;

    protected override void BeginProcessing()
    {
        // -ManifestOnly used to win silently over -OutputDirectory; two outputs asked for at once are refused
        // (docs/design/gitops-manifests.md).
        if (ManifestOnly && !string.IsNullOrEmpty(OutputDirectory))
        {
            ThrowMeshError(Engine.Errors.MeshErrors.ConflictingParameters("-ManifestOnly", "-OutputDirectory",
                "Give -ManifestOnly for the cacerts Secrets as YAML, or -OutputDirectory for the four PEM files per cluster that " +
                "asmcli install --ca citadel takes; run the command twice for both."));
        }

        base.BeginProcessing();
    }

    protected override void EndProcessing()
    {
        if (!RequireTargets())
        {
            return;
        }

        MeshCertificateAuthority authority;
        try
        {
            authority = Authority();
        }
        catch (MeshException ex)
        {
            ThrowMeshError(ex);
            return;
        }

        var request = new Engine.Steps.Certificates.CertificateInstallRequest(authority)
        {
            Force = Force,
            RestartIstiod = RestartIstiod,
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            RenewWithin = TimeSpan.FromDays(RenewWithinDays),
            ThrottleLimit = ThrottleLimit,
        };

        if (ManifestOnly)
        {
            if (!IncludeCredentials)
            {
                WriteWarning("ca-key.pem is left out of the manifests; add -IncludeCredentials to include the intermediates' private keys.");
            }

            foreach (var document in Engine.Steps.Certificates.CertificateInstaller.RenderManifests(Targets, request, IncludeCredentials))
            {
                WriteObject(document);
            }

            return;
        }

        if (!string.IsNullOrEmpty(OutputDirectory))
        {
            var directory = ResolvePath(OutputDirectory);
            if (!ShouldProcess(directory, "Write ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem per cluster (owner-only)"))
            {
                return;
            }

            try
            {
                foreach (var file in RunEngine((sink, _) => Task.FromResult(
                             Engine.Steps.Certificates.CertificateInstaller.WriteFiles(Targets, request, directory, sink))))
                {
                    WriteObject(new FileInfo(file));
                }
            }
            catch (MeshException ex)
            {
                ThrowMeshError(ex);
            }

            return;
        }

        foreach (var result in RunEngine((sink, token) =>
                     Engine.Steps.Certificates.CertificateInstaller.InstallManyAsync(Targets, request, sink, token)))
        {
            WriteObject(result);
        }
    }

    private MeshCertificateAuthority Authority()
    {
        if (CertificateAuthority is not null)
        {
            return CertificateAuthority;
        }

        if (string.IsNullOrEmpty(CertificatePath) || string.IsNullOrEmpty(KeyPath))
        {
            throw Engine.Errors.MeshErrors.CaMissing();
        }

        return AuthorityFiles.FromPem(ResolvePath(CertificatePath), ResolvePath(KeyPath), Password);
    }
}
