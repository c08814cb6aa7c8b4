using System.Management.Automation;
using System.Security;
using HybridMesh.Internal;
using HybridMesh.Models;

namespace HybridMesh.Commands;

/// <summary>
/// New-MeshCertificateAuthority: the mesh's one root of trust (docs/design/shared-root.md). Creates a root like
/// Istio's tools/certs Makefile (10 years, O=&lt;org&gt;, CN=Root CA; RSA 4096 or ECDSA P-256), or imports one from
/// PEM (certificate + key, encrypted or not) or PFX. -Path saves root-cert.pem and an encrypted root-key.pem.
/// </summary>
[Cmdlet(VerbsCommon.New, "MeshCertificateAuthority", DefaultParameterSetName = CreateSet, SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MeshCertificateAuthority))]
public sealed class NewMeshCertificateAuthorityCommand : MeshCmdlet
{
    private const string CreateSet = "Create";
    private const string PemSet = "Pem";
    private const string PfxSet = "Pfx";

    /// <summary>The organisation in the root's subject (O=...).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CreateSet)]
    [ValidateNotNullOrEmpty]
    public string Organization { get; set; } = "";

    /// <summary>RSA (4096 bits, as Istio's Makefile) or ECDSA (P-256).</summary>
    [Parameter(ParameterSetName = CreateSet)]
    public MeshCaKeyAlgorithm KeyAlgorithm { get; set; } = MeshCaKeyAlgorithm.RSA;

    /// <summary>Validity of a new root in years.</summary>
    [Parameter(ParameterSetName = CreateSet)]
    [ValidateRange(1, 30)]
    public int ValidityYears { get; set; } = Engine.Steps.Certificates.CertificateAuthorities.DefaultRootYears;

    /// <summary>PEM file of an existing root certificate.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PemSet, ValueFromPipelineByPropertyName = true)]
    public string CertificatePath { get; set; } = "";

    /// <summary>PEM file of the root's private key (PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PemSet, ValueFromPipelineByPropertyName = true)]
    public string KeyPath { get; set; } = "";

    /// <summary>PKCS#12 (PFX) file holding the root and its key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PfxSet, ValueFromPipelineByPropertyName = true)]
    public string PfxPath { get; set; } = "";

    /// <summary>Password of an encrypted key or PFX being imported, and of root-key.pem written with -Path.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Directory to save root-cert.pem and root-key.pem (encrypted with -Password) in.</summary>
    [Parameter]
    public string? Path { get; set; }

    /// <summary>Replace root-cert.pem and root-key.pem when they already exist in -Path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        MeshCertificateAuthority ca;
        try
        {
            ca = ParameterSetName switch
            {
                PemSet => AuthorityFiles.FromPem(ResolvePath(CertificatePath), ResolvePath(KeyPath), Password),
                PfxSet => AuthorityFiles.FromPfx(ResolvePath(PfxPath), Password),
                _ => Create(),
            };
        }
        catch (MeshException ex)
        {
            WriteMeshError(ex);
            return;
        }

        if (!string.IsNullOrEmpty(Path))
        {
            var directory = ResolvePath(Path);
            if (ShouldProcess(directory, $"Write {Engine.Steps.Certificates.CertificateAuthorities.RootCertFile} and an encrypted " +
                                         $"{Engine.Steps.Certificates.CertificateAuthorities.RootKeyFile} (owner-only)"))
            {
                try
                {
                    var files = SecurePassword.Use(Password, p => Engine.Steps.Certificates.CertificateAuthorities.Save(ca, directory, p, Force));
                    WriteVerbose($"Wrote {string.Join(", ", files)}.");
                }
                catch (MeshException ex)
                {
                    WriteMeshError(ex);
                    return;
                }
            }
        }

        WriteObject(ca);
    }

    private MeshCertificateAuthority Create()
    {
        // RSA 4096 takes seconds (measured ~14 s on a busy 2-core machine): say so while it runs.
        var progress = new ProgressRecord(81, "Creating the mesh root CA", $"Generating a {KeyAlgorithm} key")
        {
            PercentComplete = -1,
        };
        WriteProgress(progress);
        try
        {
            return Engine.Steps.Certificates.CertificateAuthorities.Create(Organization, KeyAlgorithm, ValidityYears);
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
