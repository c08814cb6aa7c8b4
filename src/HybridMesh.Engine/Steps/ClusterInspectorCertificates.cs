using System.Security.Cryptography;

namespace HybridMesh.Engine.Steps;

/// <summary>
/// Root certificates compared as certificates, not text (docs/design/shared-root.md): the SHA-256 of each PEM block's DER,
/// as uppercase hex (the form X509Certificate2.GetCertHashString(SHA256) gives). A bundle can hold several roots
/// during a rotation, so every block counts.
/// </summary>
internal static class ClusterInspectorCertificates
{
    public static IReadOnlyList<string> Fingerprints(string? pem)
    {
        var result = new List<string>();
        if (string.IsNullOrEmpty(pem))
        {
            return result;
        }

        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                var der = new byte[fields.DecodedDataLength];
                if (Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written))
                {
                    result.Add(Convert.ToHexString(SHA256.HashData(der.AsSpan(0, written))));
                }
            }

            rest = rest[fields.Location.End..];
        }

        return result;
    }
}
