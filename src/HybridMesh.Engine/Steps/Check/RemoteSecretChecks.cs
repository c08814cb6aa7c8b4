using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// Checks of one ordered link T → S (docs/design/remote-secrets.md, rules.md): T holds a remote secret for S keyed by S's Istio cluster name; the
/// server in it is the one S answers on; its credentials authenticate and may list services and endpoints on S;
/// the token's Secret still exists in S.
/// </summary>
internal static class RemoteSecretChecks
{
    /// <summary>How RemoteSecretCredentials begins when this machine could not reach the server (in-cluster probes decide those).</summary>
    internal const string UnreachableFromHere = "Could not reach ";

    private const string Relink = "Run New-Mesh with every cluster of the mesh to rewrite the remote secrets (-RemoveStale drops the ones for clusters that are gone).";

    public static async Task<IReadOnlyList<MeshCheck>> RunAsync(ClusterSnapshot holder, ClusterSnapshot peer,
        IReadOnlyList<ClusterSnapshot> snapshots, KubeSessionOptions options, CancellationToken ct, CredentialProofs? proofs = null)
    {
        proofs ??= new CredentialProofs();
        string[] names = [CheckNames.RemoteSecret, CheckNames.RemoteSecretServer, CheckNames.RemoteSecretCredentials, CheckNames.RemoteSecretToken];
        var t = holder.Context;
        var p = peer.Context;
        if (!holder.Reachable || !peer.Reachable)
        {
            var down = holder.Reachable ? peer : holder;
            return names.Select(n => Result.Skip(n, t, $"Not checked: the API server of '{down.Context}' cannot be read.", p)).ToArray();
        }

        if (peer.Details?.IstioClusterName is not { Length: > 0 } clusterName)
        {
            return names.Select(n => Result.Skip(n, t,
                $"Not checked: '{p}' has no istiod with a CLUSTER_ID, so the key its remote secret needs is unknown.", p)).ToArray();
        }

        var all = holder.RemoteKubeconfigs;
        var current = RemoteSecretRenderer.SecretName(clusterName);
        var secret = all.FirstOrDefault(k => k.Key == clusterName && k.SecretName == current) ?? all.FirstOrDefault(k => k.Key == clusterName);
        if (secret is null)
        {
            var misnamed = all.FirstOrDefault(k => RemoteSecretKubeconfig.SameServer(k.Server, peer.Server));
            var missing = misnamed is null
                ? Result.Fail(CheckNames.RemoteSecret, t,
                    $"No remote secret (label {RemoteSecretRenderer.MultiClusterLabel}=true in istio-system) holds a kubeconfig for '{clusterName}': istiod in '{t}' does not see '{p}'s endpoints.",
                    Relink, p)
                : Result.Fail(CheckNames.RemoteSecret, t,
                    $"Secret {misnamed.SecretName} points at '{p}' but is keyed '{misnamed.Key}'; '{p}' calls itself '{clusterName}' (CLUSTER_ID), so istiod in '{t}' registers it under the wrong name.",
                    Relink, p);
            return [missing, .. names.Skip(1).Select(n => Result.Skip(n, t, $"Not checked: no remote secret for '{clusterName}'.", p))];
        }

        var stale = StaleSecrets(holder, peer, snapshots, [], secret.SecretName);
        var results = new List<MeshCheck>
        {
            stale.Count == 0
                ? Result.Pass(CheckNames.RemoteSecret, t, $"Secret {secret.SecretName} holds a kubeconfig for '{clusterName}'.", p)
                : Result.Fail(CheckNames.RemoteSecret, t,
                    $"Secrets {secret.SecretName} and {string.Join(", ", stale)} all serve '{p}' ('{clusterName}'); istiod loads a cluster " +
                    "only once and may pick the stale one.",
                    $"Run New-Mesh -RemoveStale with every cluster of the mesh to delete {string.Join(", ", stale)}.", p),
            RemoteSecretKubeconfig.SameServer(secret.Server, peer.Server)
                ? Result.Pass(CheckNames.RemoteSecretServer, t, $"Points at {peer.Server}, where '{p}' answers.", p)
                : Result.Warn(CheckNames.RemoteSecretServer, t,
                    $"Points at {MeshErrors.RedactUserInfo(secret.Server)}, but '{p}' answers this machine on {peer.Server}; fine only if that address reaches the same API server from inside '{t}'.",
                    $"If '{p}' is not reachable at {MeshErrors.RedactUserInfo(secret.Server)} from '{t}', re-run New-Mesh with the right server for '{p}'.", p),
            Credentials(await proofs.ProveAsync(secret, options, ct).ConfigureAwait(false), secret, t, p),
            Token(secret, peer, t, p),
        };
        return results;
    }

    /// <summary>
    /// The pre-flight form of the stale-secret rule for link holder → peer: every remote secret other than the one
    /// New-Mesh writes (<paramref name="current"/>) that serves the peer is a Failed RemoteSecret check with
    /// MeshStaleRemoteSecret (docs/design/rules.md).
    /// </summary>
    public static IEnumerable<RuleVerdict> Stale(ClusterSnapshot holder, ClusterSnapshot peer, IReadOnlyList<ClusterSnapshot> all,
        IReadOnlyCollection<string> servers, string current)
    {
        if (!holder.Reachable || !peer.Reachable || peer.Details?.IstioClusterName is not { Length: > 0 } clusterName)
        {
            yield break;
        }

        foreach (var name in StaleSecrets(holder, peer, all, servers, current))
        {
            var error = MeshErrors.MeshStaleRemoteSecret(holder.Context, name, current, clusterName);
            yield return new(Result.Fail(CheckNames.RemoteSecret, holder.Context, error.Message,
                $"Run New-Mesh -RemoveStale with every cluster of the mesh to delete {name}.", peer.Context), error);
        }
    }

    /// <summary>Names of the remote secrets in the holder, other than <paramref name="current"/>, that serve the peer.</summary>
    public static IReadOnlyList<string> StaleSecrets(ClusterSnapshot holder, ClusterSnapshot peer, IReadOnlyList<ClusterSnapshot> all,
        IReadOnlyCollection<string> servers, string current) =>
        StaleSecretIndex.For(holder).Candidates(peer, servers).Where(k => k.SecretName != current && Serves(k, peer, all, servers))
            .Select(k => k.SecretName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Does this kubeconfig let istiod read <paramref name="peer"/>? Whatever the secret is called (asmcli names it after
    /// the kubeconfig context): keyed or annotated with the peer's Istio cluster name, pointing at the peer's API server
    /// (or an address given for it), or trusting the peer's cluster CA when no other cluster has that CA.
    /// </summary>
    public static bool Serves(RemoteSecretKubeconfig kubeconfig, ClusterSnapshot peer, IReadOnlyList<ClusterSnapshot> all,
        IReadOnlyCollection<string> servers)
    {
        var name = peer.Details?.IstioClusterName;
        if (name is { Length: > 0 } && (kubeconfig.Key == name || kubeconfig.ClusterAnnotation == name))
        {
            return true;
        }

        if (RemoteSecretKubeconfig.SameServer(kubeconfig.Server, peer.Server) ||
            servers.Any(s => Uri.TryCreate(s, UriKind.Absolute, out var uri) && RemoteSecretKubeconfig.SameServer(kubeconfig.Server, uri)))
        {
            return true;
        }

        var ca = kubeconfig.CertificateAuthority;
        return ca.Length > 0 && peer.CertificateAuthorities.Contains(ca) &&
               !all.Any(o => !ReferenceEquals(o, peer) && o.CertificateAuthorities.Contains(ca));
    }

    private static MeshCheck Credentials(CredentialProof proof, RemoteSecretKubeconfig secret, string t, string p)
    {
        const string check = CheckNames.RemoteSecretCredentials;
        const string where = "checked from this machine; istiod in the cluster connects from there and may take another network path";
        return proof.Kind switch
        {
            CredentialProofKind.Passed =>
                Result.Pass(check, t, $"The token authenticates and may list services and endpoints on '{p}' ({where}).", p),
            CredentialProofKind.Unauthorized => Result.Fail(check, t,
                $"'{p}' rejects the token in {secret.SecretName} (401: revoked, expired, or its ServiceAccount/Secret deleted) ({where}).",
                Relink, p),
            CredentialProofKind.Forbidden => Result.Fail(check, t,
                $"The token in {secret.SecretName} authenticates on '{p}' but may not list services/endpoints cluster-wide ({where}).",
                "Restore the istio-reader ClusterRole and its binding on the peer (reinstall Cloud Service Mesh), then run New-Mesh.", p),
            CredentialProofKind.Unreachable => Result.Warn(check, t,
                $"{UnreachableFromHere}{MeshErrors.RedactUserInfo(secret.Server)} with the secret's CA ({where}): {proof.Message}",
                "Check that istiod in the cluster can reach the peer's API server; this machine could not.", p),
            _ => Result.Warn(check, t, $"Could not verify the credentials ({where}): {proof.Message}", proof.RecommendedAction ?? "", p),
        };
    }

    private static MeshCheck Token(RemoteSecretKubeconfig secret, ClusterSnapshot peer, string t, string p)
    {
        const string check = CheckNames.RemoteSecretToken;
        if (secret.Token is not { Length: > 0 } token)
        {
            return Result.Warn(check, t, $"The kubeconfig in {secret.SecretName} holds no bearer token (client certificate or exec plugin); not checked.",
                "Nothing to do if the credentials check passed.", p);
        }

        if (peer.TokenSecretsByHash is null)
        {
            return Result.Skip(check, t, $"Not checked: Secrets in istio-system of '{p}' are not readable with this machine's credentials.", p);
        }

        if (peer.TokenSecretsByHash.TryGetValue(ClusterSnapshot.Hash(token), out var name))
        {
            return Result.Pass(check, t, $"The token comes from Secret istio-system/{name} in '{p}'.", p);
        }

        var (ns, issued) = secret.TokenSecret();
        return issued is null
            ? Result.Warn(check, t, $"The token is not stored in a service-account token Secret in istio-system of '{p}' (a TokenRequest token expires).",
                "Run New-Mesh to link with a long-lived token Secret.", p)
            : Result.Fail(check, t, $"The token was issued for Secret {ns}/{issued} in '{p}', which no longer exists (or holds another token).",
                Relink, p);
    }
}
