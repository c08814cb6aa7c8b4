using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>The reader token of one source cluster, read once and reused for all its targets. ToString omits the token.</summary>
internal sealed class ReaderCredential
{
    public ReaderCredential(byte[] certificateAuthority, string token, bool created)
    {
        CertificateAuthority = certificateAuthority;
        Token = token;
        Created = created;
    }

    public byte[] CertificateAuthority { get; }
    public string Token { get; }
    public bool Created { get; }
    public override string ToString() => "ReaderCredential";
}

/// <summary>
/// The identity istiod elsewhere uses to read a source cluster (spec §D.3, §D.4): the reader ServiceAccount and its
/// ClusterRole/Binding are created only when missing (as istioctl does — Istio's charts own them otherwise), and the
/// token comes from an existing kubernetes.io/service-account-token Secret of that account, else from one this
/// module creates and the token controller fills.
/// </summary>
internal static class ReaderIdentity
{
    private const string Ns = ClusterInspector.IstioNamespace;

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
        var listing = session.ListAsync("v1", "Secret", Ns, cancellationToken: ct);
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
        var candidates = secrets.Where(IsReaderToken)
            .OrderBy(s => ManifestObjects.Name(s) == IstioReaderRenderer.TokenSecretName ? 0 : 1)
            .ThenBy(ManifestObjects.Name, StringComparer.Ordinal)
            .ToArray();
        foreach (var secret in candidates)
        {
            if (Credential(secret, created: false) is { } credential)
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

        var tokenSecret = IstioReaderRenderer.RenderTokenSecret(Ns);
        planned.Add(tokenSecret);
        if (!write || !sink.ShouldProcess($"Secret {Ns}/{IstioReaderRenderer.TokenSecretName} in context '{source.Context}'",
                "Create the long-lived reader token"))
        {
            return null;
        }

        try
        {
            await session.CreateAsync(tokenSecret, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (MeshException error) when (error.ErrorId == "KubeAlreadyExists")
        {
            // Created concurrently by another run: use it.
        }

        sink.Verbose($"[{source.Context}] Created Secret {Ns}/{IstioReaderRenderer.TokenSecretName}; waiting for its token.");
        return await WaitForTokenAsync(source, IstioReaderRenderer.TokenSecretName, true, tokenWait, ct).ConfigureAwait(false);
    }

    /// <summary>Bounded poll (the token controller fills the Secret asynchronously); istioctl tries 5 times, 1 s apart.</summary>
    private static async Task<ReaderCredential> WaitForTokenAsync(MeshMember source, string name, bool created,
        TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var secret = await source.Session!.GetAsync("v1", "Secret", Ns, name, ct).ConfigureAwait(false);
            if (secret is not null && Credential(secret, created) is { } credential)
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

    private static ReaderCredential? Credential(JsonObject secret, bool created)
    {
        var token = Decode(secret["data"]?["token"]);
        var ca = secret["data"]?["ca.crt"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(ca))
        {
            return null;
        }

        return new ReaderCredential(Convert.FromBase64String(ca), token, created);
    }

    private static string? Decode(JsonNode? node) =>
        node?.GetValue<string>() is { Length: > 0 } text ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : null;
}
