using System.Collections.Concurrent;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>What proving one remote-secret kubeconfig's credentials against its server answered.</summary>
internal enum CredentialProofKind
{
    Passed,
    Unauthorized,
    Forbidden,
    Unreachable,
    Unverified,
}

internal sealed record CredentialProof(CredentialProofKind Kind, string? Message = null, string? RecommendedAction = null);

/// <summary>
/// The credential check of one run, once per distinct kubeconfig: New-Mesh writes the same kubeconfig (server, CA,
/// token of the source's reader) into every target, so N-1 remote secrets for a source prove the same thing and one
/// session with two requests answers for all of them — O(N) round trips per run instead of O(N²)
/// (docs/design/scale.md). Keyed by <see cref="RemoteSecretKubeconfig.ContentKey"/> (a hash, never the token).
/// </summary>
internal sealed class CredentialProofs
{
    private readonly ConcurrentDictionary<string, Lazy<Task<CredentialProof>>> _proofs = new(StringComparer.Ordinal);

    public Task<CredentialProof> ProveAsync(RemoteSecretKubeconfig secret, KubeSessionOptions options, CancellationToken ct) =>
        _proofs.GetOrAdd(secret.ContentKey, _ => new Lazy<Task<CredentialProof>>(() => ProveOnceAsync(secret, options, ct))).Value;

    private static async Task<CredentialProof> ProveOnceAsync(RemoteSecretKubeconfig secret, KubeSessionOptions options,
        CancellationToken ct)
    {
        try
        {
            using var session = secret.Open(options);
            await session.GetPathAsync("/api/v1/services?limit=1", ct).ConfigureAwait(false);
            await session.GetPathAsync("/api/v1/endpoints?limit=1", ct).ConfigureAwait(false);
            return new(CredentialProofKind.Passed);
        }
        catch (KubeUnauthorizedException)
        {
            return new(CredentialProofKind.Unauthorized);
        }
        catch (KubeForbiddenException)
        {
            return new(CredentialProofKind.Forbidden);
        }
        catch (KubeUnreachableException ex)
        {
            return new(CredentialProofKind.Unreachable, ex.Message);
        }
        catch (MeshException ex)
        {
            return new(CredentialProofKind.Unverified, ex.Message, ex.RecommendedAction);
        }
    }
}
