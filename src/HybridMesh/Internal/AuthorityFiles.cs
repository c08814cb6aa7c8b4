using System.Security;
using HybridMesh.Models;

namespace HybridMesh.Internal;

/// <summary>Reads a root CA from the files a user names (PEM certificate + key, or PFX), for both certificate cmdlets.</summary>
internal static class AuthorityFiles
{
    public static MeshCertificateAuthority FromPem(string certificatePath, string keyPath, SecureString? password)
    {
        var certificate = Read(certificatePath);
        var key = Read(keyPath);
        return SecurePassword.Use(password, p => Engine.Steps.Certificates.CertificateAuthorities.ImportPem(certificate, key, p, certificatePath));
    }

    public static MeshCertificateAuthority FromPfx(string pfxPath, SecureString? password)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(pfxPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Engine.Errors.MeshErrors.CaImportFailed(pfxPath, ex.Message.TrimEnd('.'));
        }

        return SecurePassword.Use(password, p => Engine.Steps.Certificates.CertificateAuthorities.ImportPfx(bytes, p, pfxPath));
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Engine.Errors.MeshErrors.CaImportFailed(path, ex.Message.TrimEnd('.'));
        }
    }
}
