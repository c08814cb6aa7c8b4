using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// Signs and verifies the lab's service-account JWTs (RS256, same kid for legacy and bound tokens, claims as in
/// docs/design/kube-api-answers.md §7.8). Tokens never leave the process except in API answers and kubeconfig files.
/// Every cluster has its own kid and accepts only tokens with it, so a token from one cluster is rejected (401) by
/// every other, as with per-cluster keys. The RSA key itself is shared by the lab process: generating a 2048-bit key
/// costs 0.1-0.4 s of CPU, which made a 250-cluster lab take minutes to start (docs/design/scale.md); a test run
/// shares it between its labs too (<see cref="LabKeyCache"/>).
/// </summary>
public sealed class TokenIssuer : IDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private static readonly Lazy<RSA> SharedKey = new(() => LabKeyCache.Rsa2048("service-account-signing"), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly RSA _key = SharedKey.Value;
    private readonly string _kid;
    // Tokens whose signature this issuer verified, with their claims. An RS256 verification was the largest single cost
    // of a token-authenticated request in the lab (every probe pod's curl call, every remote-secret proof), and its answer
    // for one token never changes: the caller still checks expiry, revocation and the token's Secret on every request.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonObject> _verified = new(StringComparer.Ordinal);

    public TokenIssuer()
    {
        // The public key's hash, salted per issuer: distinct clusters, distinct key ids.
        var spki = _key.ExportSubjectPublicKeyInfo();
        _kid = Base64Url(SHA256.HashData([.. spki, .. RandomNumberGenerator.GetBytes(16)]));
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
        if (_verified.TryGetValue(token, out var known)) return (JsonObject)known.DeepClone();
        var claims = VerifySignature(token);
        if (claims is not null && _verified.Count < 10_000) _verified.TryAdd(token, (JsonObject)claims.DeepClone());
        return claims;
    }

    private JsonObject? VerifySignature(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            if ((string?)JsonNode.Parse(FromBase64Url(parts[0]))?["kid"] != _kid) return null;
            var signature = FromBase64Url(parts[2]);
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return null;
            return JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
        }
        catch (FormatException) { return null; }
        catch (System.Text.Json.JsonException) { return null; }
        catch (InvalidOperationException) { return null; }
    }

    public static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }

    public void Dispose()
    {
        // the key is shared by every cluster of the process and lives as long as it
    }
}
