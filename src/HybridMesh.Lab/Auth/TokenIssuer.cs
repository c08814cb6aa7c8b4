using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// Signs and verifies the lab's service-account JWTs (RS256, one key per cluster, same kid for legacy and bound
/// tokens, claims as in docs/design/kube-api-answers.md §7.8). Tokens never leave the process except in API answers and kubeconfig files.
/// </summary>
public sealed class TokenIssuer : IDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private readonly RSA _key;
    private readonly string _kid;

    /// <summary>An issuer signing with the key of <paramref name="keySlot"/> (<see cref="LabKeys"/>).</summary>
    public TokenIssuer(string keySlot)
    {
        _key = LabKeys.Rsa(keySlot);
        var spki = _key.ExportSubjectPublicKeyInfo();
        _kid = Base64Url(SHA256.HashData(spki));
    }

    public string Sign(JsonObject claims)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = _kid };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The claims of a token this issuer signed, or null (bad shape or signature).</summary>
    public JsonObject? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var signature = FromBase64Url(parts[2]);
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return null;
            return JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
        }
        catch (FormatException) { return null; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    public static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }

    public void Dispose() => _key.Dispose();
}
