using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;

namespace HybridMesh.Lab.Fleet;

/// <summary>
/// The fleet's OAuth2 side: one service-account key generated at start (never stored in the repository), the
/// JWT-bearer grant at /token (RFC 7523, as Google's token endpoint implements it for service accounts), and the set
/// of access tokens the APIs accept.
/// </summary>
internal sealed class FleetTokens : IDisposable
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    // The labs of one test run share the key (LabKeyCache); KeyId stays per fleet and an assertion naming another
    // fleet's key id is refused, so another fleet's credential file still gets no token.
    private readonly RSA _key;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);
    private readonly FleetOptions _options;

    public FleetTokens(FleetOptions options) : this(options, Environment.GetEnvironmentVariable(LabKeyCache.Variable))
    {
    }

    internal FleetTokens(FleetOptions options, string? keyFolder)
    {
        _options = options;
        _key = NewKey(options.ServiceAccountKeyPem, keyFolder);
        KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        StaticToken = NewToken();
    }

    /// <summary>A token valid for the server's whole life, for callers that pass -AccessToken.</summary>
    public string StaticToken { get; }

    public string KeyId { get; }

    /// <summary>Generates the key now (RSA keys are generated on first use), e.g. while a lab starts its clusters.</summary>
    public void PrepareKey() => _key.ExportSubjectPublicKeyInfo();

    public string ServiceAccountJson(Uri tokenUri) => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = "lab-project",
        ["private_key_id"] = KeyId,
        ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = _options.ServiceAccountEmail,
        ["client_id"] = "100000000000000000001",
        ["auth_uri"] = new Uri(tokenUri, "auth").AbsoluteUri,
        ["token_uri"] = tokenUri.AbsoluteUri,
        ["universe_domain"] = "googleapis.com",
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public bool IsValid(string? token) =>
        token is not null && (token == StaticToken ||
                              (_issued.TryGetValue(token, out var expiry) && expiry > DateTimeOffset.UtcNow));

    /// <summary>Invalidate every token the /token endpoint issued (the static token stays valid).</summary>
    public void ExpireIssuedTokens() => _issued.Clear();

    /// <summary>Checks a JWT-bearer assertion; returns the new access token or the OAuth2 error.</summary>
    public (string? Token, string? Error, string? Description) Exchange(string? grantType, string? assertion,
        Uri tokenUri)
    {
        if (grantType != JwtBearerGrant)
        {
            return (null, "unsupported_grant_type", "Invalid grant_type: " + grantType);
        }

        var parts = assertion?.Split('.');
        if (parts is not { Length: 3 })
        {
            return (null, "invalid_request", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe");
        }

        JsonNode? header, claims;
        try
        {
            header = JsonNode.Parse(Base64Url(parts[0]));
            claims = JsonNode.Parse(Base64Url(parts[1]));
            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if ((string?)header?["alg"] != "RS256" ||
                (header?["kid"] is JsonValue kid && (string?)kid != KeyId) ||
                !_key.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return (null, "invalid_grant", "Invalid JWT Signature.");
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or CryptographicException)
        {
            return (null, "invalid_request", "Invalid JWT.");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var exp = claims?["exp"]?.GetValue<long>() ?? 0;
        var iat = claims?["iat"]?.GetValue<long>() ?? 0;
        if ((string?)claims?["iss"] != _options.ServiceAccountEmail)
        {
            return (null, "invalid_grant", "Invalid JWT: unknown issuer.");
        }

        // Google.Apis.Auth signs for Google's token audience even when token_uri points elsewhere, as Google's own
        // endpoint requires; accept that or our own URI, nothing else.
        var audience = (string?)claims?["aud"];
        if (audience != GoogleTokenAudience && audience != tokenUri.AbsoluteUri)
        {
            return (null, "invalid_grant", "Invalid JWT: unexpected audience " + audience);
        }

        if (exp < now || iat > now + 300 || exp - iat > 3600)
        {
            return (null, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
        }

        var scopes = ((string?)claims?["scope"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains(CloudPlatformScope))
        {
            return (null, "invalid_scope", "The cloud-platform scope is required.");
        }

        var token = NewToken();
        _issued[token] = DateTimeOffset.UtcNow + _options.TokenLifetime;
        return (token, null, null);
    }

    private static RSA NewKey(string? pem, string? keyFolder)
    {
        // A key given by the caller (the xunit kits' one key per process) wins; else the test run's shared one, if any,
        // else a new key (generated on first use, PrepareKey).
        if (pem is null) return LabKeyCache.Rsa2048("fleet-service-account", keyFolder);
        var key = RSA.Create();
        key.ImportFromPem(pem);
        return key;
    }

    private static string NewToken() => "ya29.lab-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        return Convert.FromBase64String(s);
    }

    public void Dispose() => _key.Dispose();
}
