using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Auth;

/// <summary>
/// Bearer-token authentication: static users (the admin and any test user), legacy service-account tokens (valid
/// while their token Secret and ServiceAccount exist) and TokenRequest tokens (valid until exp while the
/// ServiceAccount exists). Revoked or expired-on-demand tokens fail like any invalid token (401).
/// </summary>
public sealed class Authenticator(ObjectStore store, TokenIssuer issuer, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, UserInfo> _static = new(StringComparer.Ordinal);
    // Keyed by a hash so the sets never hold token text.
    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _expired = new(StringComparer.Ordinal);

    public void AddStaticToken(string token, UserInfo user) => _static[token] = user;

    private int _version;

    /// <summary>Changes whenever a token is revoked, expired or reinstated (the simulated istiod's caches key on it).</summary>
    public int Version => Volatile.Read(ref _version);

    public void Revoke(string token)
    {
        _revoked[Fingerprint(token)] = true;
        Interlocked.Increment(ref _version);
    }

    public void Expire(string token)
    {
        _expired[Fingerprint(token)] = true;
        Interlocked.Increment(ref _version);
    }

    public void Reinstate(string token)
    {
        _revoked.TryRemove(Fingerprint(token), out _);
        _expired.TryRemove(Fingerprint(token), out _);
        Interlocked.Increment(ref _version);
    }

    public void ClearRevocations()
    {
        _revoked.Clear();
        _expired.Clear();
        Interlocked.Increment(ref _version);
    }

    private static string Fingerprint(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Null header: anonymous. Returns null when the token is not valid (the caller answers 401).</summary>
    public UserInfo? Authenticate(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization)) return UserInfo.Anonymous;
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorization[7..].Trim();
        if (token.Length == 0) return UserInfo.Anonymous;
        if (!_revoked.IsEmpty || !_expired.IsEmpty)
        {
            var fp = Fingerprint(token);
            if (_revoked.ContainsKey(fp) || _expired.ContainsKey(fp)) return null;
        }
        if (_static.TryGetValue(token, out var user)) return user;
        var claims = issuer.Verify(token);
        return claims is null ? null : FromServiceAccountToken(token, claims);
    }

    private UserInfo? FromServiceAccountToken(string token, JsonObject claims)
    {
        if ((string?)claims["iss"] == "kubernetes/serviceaccount")
        {
            var ns = (string?)claims["kubernetes.io/serviceaccount/namespace"];
            var secretName = (string?)claims["kubernetes.io/serviceaccount/secret.name"];
            var saName = (string?)claims["kubernetes.io/serviceaccount/service-account.name"];
            var saUid = (string?)claims["kubernetes.io/serviceaccount/service-account.uid"];
            if (ns is null || secretName is null || saName is null) return null;
            // A legacy token lives as long as its Secret still holds it and the ServiceAccount is the same one.
            var secret = store.Get("secrets", ns, secretName);
            var stored = (string?)secret?["data"]?["token"];
            if (stored is null || Encoding.UTF8.GetString(Convert.FromBase64String(stored)) != token) return null;
            // Kubernetes 1.29+: the legacy token cleaner labels unused token Secrets; from then on the API server
            // rejects their token (401) until the label is removed.
            if (secret!["metadata"]?["labels"]?["kubernetes.io/legacy-token-invalid-since"] is not null) return null;
            var sa = store.Get("serviceaccounts", ns, saName);
            if (sa is null || (string?)sa["metadata"]?["uid"] != saUid) return null;
            MarkLegacyTokenUsed(ns, secretName);
            return ServiceAccountUser(ns, saName, saUid, null);
        }
        if ((string?)claims["iss"] == TokenIssuer.Issuer)
        {
            var exp = (long?)claims["exp"] ?? 0;
            if (clock.GetUtcNow().ToUnixTimeSeconds() >= exp) return null;
            var k = claims["kubernetes.io"];
            var ns = (string?)k?["namespace"];
            var saName = (string?)k?["serviceaccount"]?["name"];
            var saUid = (string?)k?["serviceaccount"]?["uid"];
            if (ns is null || saName is null) return null;
            var sa = store.Get("serviceaccounts", ns, saName);
            if (sa is null || (string?)sa["metadata"]?["uid"] != saUid) return null;
            var extra = new Dictionary<string, string[]> { ["authentication.kubernetes.io/credential-id"] = [$"JTI={(string?)claims["jti"]}"] };
            return ServiceAccountUser(ns, saName, saUid, extra);
        }
        return null;
    }

    public static UserInfo ServiceAccountUser(string ns, string name, string? uid, IReadOnlyDictionary<string, string[]>? extra) =>
        new($"system:serviceaccount:{ns}:{name}", uid, ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"], extra);

    /// <summary>The API server labels a legacy token's Secret with the day it was last used (docs/design/kube-api-answers.md §7.4): a real write.</summary>
    private void MarkLegacyTokenUsed(string ns, string secretName)
    {
        var today = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var current = store.Get("secrets", ns, secretName);
        if (current is null || (string?)current["metadata"]?["labels"]?["kubernetes.io/legacy-token-last-used"] == today) return;
        store.Transact(() =>
        {
            var latest = store.Get("secrets", ns, secretName);
            if (latest is null || (string?)latest["metadata"]?["labels"]?["kubernetes.io/legacy-token-last-used"] == today) return;
            var updated = (JsonObject)latest.DeepClone();
            var meta = (JsonObject)updated["metadata"]!;
            if (meta["labels"] is not JsonObject labels)
            {
                labels = new JsonObject();
                meta["labels"] = labels;
            }
            labels["kubernetes.io/legacy-token-last-used"] = today;
            Api.ManagedFields.RecordUpdate(latest, updated, null, "kube-apiserver", "v1", null, Api.KubeTime.Format(clock.GetUtcNow()), false);
            store.Put("secrets", Api.KeyOrder.Canonical(updated, false));
        });
    }
}
