using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Fleet;

namespace HybridMesh.Lab.Tests;

/// <summary>
/// The signing key the labs of one test run share through HYBRIDMESH_LAB_KEY_CACHE (docs/design/lab-reuse.md): made
/// once, read back by every later lab, owner-only, replaced when unreadable; without a folder every call makes its own.
/// </summary>
public sealed class LabKeyCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hm-lab-keys-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static string PublicKey(RSA key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    [Fact]
    public void Without_a_folder_every_key_is_new()
    {
        using var first = LabKeyCache.Rsa2048("service-account-signing", null);
        using var second = LabKeyCache.Rsa2048("service-account-signing", "");
        Assert.Equal(2048, first.KeySize);
        Assert.NotEqual(PublicKey(first), PublicKey(second));
    }

    [Fact]
    public void A_folder_keeps_the_first_key_for_every_later_lab_owner_only()
    {
        using var first = LabKeyCache.Rsa2048("service-account-signing", _folder);
        using var second = LabKeyCache.Rsa2048("service-account-signing", _folder);
        using var other = LabKeyCache.Rsa2048("other", _folder);
        Assert.Equal(PublicKey(first), PublicKey(second));
        Assert.NotEqual(PublicKey(first), PublicKey(other));
        var path = Path.Combine(_folder, "service-account-signing.pem");
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void A_half_written_key_is_replaced()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "service-account-signing.pem");
        File.WriteAllText(path, "-----BEGIN PRIVATE KEY-----\nMIIE");
        using var made = LabKeyCache.Rsa2048("service-account-signing", _folder);
        using var again = LabKeyCache.Rsa2048("service-account-signing", _folder);
        Assert.Equal(2048, made.KeySize);
        Assert.Equal(PublicKey(made), PublicKey(again));
    }

    [Fact]
    public void Fleets_sharing_the_key_still_refuse_each_others_credential_file()
    {
        var tokenUri = new Uri("https://127.0.0.1:1/token");
        var options = new FleetOptions();
        using var mine = new FleetTokens(options, _folder);
        using var other = new FleetTokens(options, _folder);
        var file = JsonNode.Parse(other.ServiceAccountJson(tokenUri))!;
        Assert.Equal((string?)JsonNode.Parse(mine.ServiceAccountJson(tokenUri))!["private_key"], (string?)file["private_key"]);

        var assertion = Assertion(file, tokenUri);
        Assert.NotNull(other.Exchange(FleetTokens.JwtBearerGrant, assertion, tokenUri).Token);
        var refused = mine.Exchange(FleetTokens.JwtBearerGrant, assertion, tokenUri);
        Assert.Null(refused.Token);
        Assert.Equal("invalid_grant", refused.Error);
    }

    // A JWT-bearer assertion as Google.Apis.Auth makes it from a service-account file (kid = private_key_id).
    private static string Assertion(JsonNode file, Uri tokenUri)
    {
        using var key = RSA.Create();
        key.ImportFromPem((string)file["private_key"]!);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = (string?)file["private_key_id"] };
        var claims = new JsonObject
        {
            ["iss"] = (string?)file["client_email"], ["aud"] = tokenUri.AbsoluteUri, ["iat"] = now, ["exp"] = now + 3600,
            ["scope"] = "https://www.googleapis.com/auth/cloud-platform",
        };
        var input = TokenIssuer.Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                    TokenIssuer.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + TokenIssuer.Base64Url(signature);
    }
}
