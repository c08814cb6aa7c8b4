using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>The reader token of one source cluster, read once and reused for all its targets. ToString omits the token.</summary>
internal sealed class ReaderCredential
{
    public ReaderCredential(byte[] certificateAuthority, string token, bool created, string secretName = "")
    {
        CertificateAuthority = certificateAuthority;
        Token = token;
        Created = created;
        SecretName = secretName;
    }

    /// <summary>The token Secret it was read from.</summary>
    public string SecretName { get; }

    public byte[] CertificateAuthority { get; }
    public string Token { get; }
    public bool Created { get; }
    public override string ToString() => "ReaderCredential";
}

/// <summary>
/// The identity istiod elsewhere uses to read a source cluster (docs/design/remote-secrets.md): the reader ServiceAccount and its
/// ClusterRole/Binding are created only when missing (as istioctl does — Istio's charts own them otherwise), and the
/// token comes from an existing kubernetes.io/service-account-token Secret of that account, else from one this
/// module creates and the token controller fills.
/// </summary>
internal static class ReaderIdentity
{
    private const string Ns = IstioNames.SystemNamespace;

    /// <summary>
    /// Ensures the identity; returns its credential, or null when it does not exist yet and creating it was declined
    /// (-WhatIf). <paramref name="planned"/> collects what would be created (for -ManifestOnly).
    /// </summary>
    public static async Task<ReaderCredential?> EnsureAsync(MeshMember source, bool write, List<JsonObject> planned,
        TimeSpan tokenWait, IMeshSink sink, CancellationToken ct)
    {
        var session = source.Session!;
        var rendered = IstioReaderRenderer.Render(source.Revision, Ns).Take(3).ToArray();
        // The three reads and the Secret list are independent: send them together.
        var lookups = rendered.Select(obj => session.GetAsync(ManifestObjects.ApiVersion(obj), ManifestObjects.Kind(obj),
            ManifestObjects.Kind(obj) == "ServiceAccount" ? Ns : null, ManifestObjects.Name(obj), ct)).ToArray();
        // Only token Secrets can hold the reader token (Usable): the server leaves out the N−1 remote secrets, about
        // 1.5 MB per cluster at 250 clusters (docs/design/scale.md).
        var listing = session.ListAsync("v1", "Secret", Ns, cancellationToken: ct,
            fieldSelector: "type=" + IstioReaderRenderer.TokenSecretType);
        await Task.WhenAll(lookups.Cast<Task>().Append(listing)).ConfigureAwait(false);
        for (var i = 0; i < rendered.Length; i++)
        {
            var obj = rendered[i];
            if (await lookups[i].ConfigureAwait(false) is not null)
            {
                continue;
            }

            planned.Add(obj);
            if (write && sink.ShouldProcess($"{ManifestObjects.Describe(obj)} in context '{source.Context}'", "Create"))
            {
                await session.CreateAsync(obj, cancellationToken: ct).ConfigureAwait(false);
                sink.Verbose($"[{source.Context}] Created {ManifestObjects.Describe(obj)}.");
            }
        }

        var secrets = await listing.ConfigureAwait(false);
        var candidates = Usable(secrets).ToArray();
        foreach (var secret in candidates)
        {
            if (Credential(secret, created: false, ManifestObjects.Name(secret)) is { } credential)
            {
                sink.Verbose($"[{source.Context}] Using the reader token of Secret {Ns}/{ManifestObjects.Name(secret)}.");
                return credential;
            }
        }

        if (candidates.Length > 0)
        {
            // A token Secret exists but is not filled yet (just created by someone else): wait for it.
            return await WaitForTokenAsync(source, ManifestObjects.Name(candidates[0]), false, tokenWait, ct).ConfigureAwait(false);
        }

        // The usual name may be taken by a token marked invalid (legacy token cleaner): then the next free one.
        var tokenName = FreeTokenSecretName(secrets);
        var tokenSecret = IstioReaderRenderer.RenderTokenSecret(Ns);
        tokenSecret["metadata"]!["name"] = tokenName;
        planned.Add(tokenSecret);
        if (!write || !sink.ShouldProcess($"Secret {Ns}/{tokenName} in context '{source.Context}'",
                "Create the long-lived reader token"))
        {
            return null;
        }

        try
        {
            await session.CreateAsync(tokenSecret, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (KubeAlreadyExistsException)
        {
            // Created concurrently by another run: use it.
        }

        sink.Verbose($"[{source.Context}] Created Secret {Ns}/{tokenName}; waiting for its token.");
        return await WaitForTokenAsync(source, tokenName, true, tokenWait, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The source rejected <paramref name="dead"/> (401): issue a new token in a new Secret, since the old one may be
    /// marked invalid, belong to someone else, or be deleted soon (docs/design/reader-tokens.md). The old Secret is
    /// left alone; the newest usable token wins from now on, so re-runs converge on the new one. Null when declined.
    /// </summary>
    public static async Task<ReaderCredential?> ReissueAsync(MeshMember source, ReaderCredential dead, TimeSpan tokenWait,
        IMeshSink sink, CancellationToken ct)
    {
        var session = source.Session!;
        var name = FreeTokenSecretName(await session.ListAsync("v1", "Secret", Ns, cancellationToken: ct).ConfigureAwait(false));

        if (!sink.ShouldProcess($"Secret {Ns}/{name} in context '{source.Context}' (Secret {Ns}/{dead.SecretName} holds a " +
                                "token the cluster rejects)", "Create a new long-lived reader token"))
        {
            return null;
        }

        var secret = IstioReaderRenderer.RenderTokenSecret(Ns);
        secret["metadata"]!["name"] = name;
        await session.CreateAsync(secret, cancellationToken: ct).ConfigureAwait(false);
        sink.Warning($"Context '{source.Context}' rejects the reader token of Secret {Ns}/{dead.SecretName}; issued a new one " +
                     $"in Secret {Ns}/{name} and rewriting the remote secrets that hold the old one.");
        return await WaitForTokenAsync(source, name, true, tokenWait, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Token Secrets of the reader account that may still authenticate: not marked by the legacy token cleaner
    /// (Kubernetes 1.29+), newest first — after a reissue the new token must win over the rejected one.
    /// </summary>
    private static IEnumerable<JsonObject> Usable(IEnumerable<JsonObject> secrets) =>
        secrets.Where(IsReaderToken)
            .Where(s => s["metadata"]?["labels"]?[LegacyTokenInvalidSinceLabel] is null)
            .OrderByDescending(s => s["metadata"]?["creationTimestamp"]?.GetValue<string>() ?? "", StringComparer.Ordinal)
            .ThenByDescending(s => ManifestObjects.Name(s).Length)
            .ThenByDescending(ManifestObjects.Name, StringComparer.Ordinal);

    /// <summary>istioctl's token Secret name, else that name with the first free suffix -2, -3, ...</summary>
    private static string FreeTokenSecretName(IEnumerable<JsonObject> secrets)
    {
        var existing = secrets.Select(ManifestObjects.Name).ToHashSet(StringComparer.Ordinal);
        var name = IstioReaderRenderer.TokenSecretName;
        for (var i = 2; existing.Contains(name); i++)
        {
            name = IstioReaderRenderer.TokenSecretName + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    /// <summary>Set by kube-controller-manager's legacy token cleaner; the API server then rejects the token.</summary>
    public const string LegacyTokenInvalidSinceLabel = "kubernetes.io/legacy-token-invalid-since";

    /// <summary>Bounded poll (the token controller fills the Secret asynchronously); istioctl tries 5 times, 1 s apart.</summary>
    private static async Task<ReaderCredential> WaitForTokenAsync(MeshMember source, string name, bool created,
        TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var secret = await source.Session!.GetAsync("v1", "Secret", Ns, name, ct).ConfigureAwait(false);
            if (secret is not null && Credential(secret, created, name) is { } credential)
            {
                return credential;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw MeshErrors.MeshReaderTokenNotIssued(source.Context, name, wait);
            }

            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
        }
    }

    internal static bool IsReaderToken(JsonObject secret) =>
        secret["type"]?.GetValue<string>() == IstioReaderRenderer.TokenSecretType &&
        secret["metadata"]?["annotations"]?[IstioReaderRenderer.ServiceAccountNameAnnotation]?.GetValue<string>() ==
        IstioReaderRenderer.ServiceAccountName;

    private static ReaderCredential? Credential(JsonObject secret, bool created, string name)
    {
        var token = Decode(secret["data"]?["token"]);
        var ca = secret["data"]?["ca.crt"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(ca))
        {
            return null;
        }

        return new ReaderCredential(Convert.FromBase64String(ca), token, created, name);
    }

    private static string? Decode(JsonNode? node) =>
        node?.GetValue<string>() is { Length: > 0 } text ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : null;
}
