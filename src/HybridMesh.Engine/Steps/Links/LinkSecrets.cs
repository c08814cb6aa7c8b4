using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;

namespace HybridMesh.Engine.Steps.Links;

/// <summary>One kubeconfig entry of a remote secret, as the link tools need it. The token stays inside.</summary>
internal sealed class LinkSecretEntry
{
    public required JsonObject Secret { get; init; }
    public required string SecretName { get; init; }
    public required string Key { get; init; }
    public required string Server { get; init; }
    public string? Token { get; init; }
    public string? TlsServerName { get; init; }
    public string? CaFingerprint { get; init; }
    public byte[]? CaPem { get; init; }

    public override string ToString() => $"{SecretName}[{Key}]";
}

/// <summary>
/// The one place the link tools parse remote secrets (docs/design/link-lifecycle.md): it goes through the same
/// kubeconfig reader Test-MeshConnectivity uses, so both agree on what a secret holds.
/// </summary>
internal static class LinkSecrets
{
    public static IEnumerable<LinkSecretEntry> Read(JsonObject secret)
    {
        foreach (var entry in RemoteSecretKubeconfig.Read(secret))
        {
            var certificates = entry.CaCertificates;
            var first = certificates.Count > 0 ? certificates[0] : null;
            yield return new LinkSecretEntry
            {
                Secret = secret,
                SecretName = entry.SecretName,
                Key = entry.Key,
                Server = entry.Server,
                Token = entry.Token,
                TlsServerName = entry.TlsServerName,
                CaFingerprint = first is null ? null : Convert.ToHexString(SHA256.HashData(first.RawData)),
                CaPem = certificates.Count == 0 ? null : System.Text.Encoding.UTF8.GetBytes(
                    string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"))),
            };
        }
    }

    /// <summary>The entry istiod uses for <paramref name="sourceName"/>: key = the source's cluster name, our secret name first.</summary>
    public static LinkSecretEntry? Current(IEnumerable<JsonObject> remoteSecrets, string sourceName) =>
        remoteSecrets.SelectMany(Read).Where(e => e.Key == sourceName)
            .OrderBy(e => e.SecretName == RemoteSecretRenderer.SecretName(sourceName) ? 0 : 1)
            .ThenBy(e => e.SecretName, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>
    /// Other secrets serving the same source (same key, or a kubeconfig pointing at the source's server): istiod
    /// loads a cluster id once, so such a secret may shadow the current one (docs/design/remote-secrets.md).
    /// </summary>
    public static IEnumerable<LinkSecretEntry> Stale(IEnumerable<JsonObject> remoteSecrets, string sourceName,
        LinkSecretEntry? current, IEnumerable<string> sourceServers)
    {
        var servers = sourceServers.Where(s => !string.IsNullOrEmpty(s)).ToArray();
        return remoteSecrets.Where(s => current is null || !ReferenceEquals(s, current.Secret))
            .SelectMany(Read)
            .Where(e => e.Key == sourceName || servers.Any(s => Uri.TryCreate(s, UriKind.Absolute, out var uri) &&
                                                               RemoteSecretKubeconfig.SameServer(e.Server, uri)))
            .GroupBy(e => e.SecretName, StringComparer.Ordinal)
            .Select(g => g.First());
    }
}
