namespace HybridMesh.Models;

/// <summary>
/// What Get-MeshLink found for one ordered pair: istiod in <see cref="Target"/> reads <see cref="Source"/> through
/// the remote secret <see cref="SecretName"/>, authenticating as the reader identity described here. Read from the
/// live clusters; never carries the token (only <see cref="TokenFingerprint"/>, a SHA-256 prefix).
/// </summary>
public sealed class MeshLinkInfo
{
    /// <summary>The source cluster's Istio cluster name (the secret's data key); the context when unknown.</summary>
    public required string Source { get; init; }

    /// <summary>The target cluster's Istio cluster name, where the secret lives; the context when unknown.</summary>
    public required string Target { get; init; }

    public required string SourceContext { get; init; }
    public required string TargetContext { get; init; }

    public MeshLinkState State { get; init; }

    /// <summary>The remote secret in the target's istio-system (null when Missing).</summary>
    public string? SecretName { get; init; }

    /// <summary>The data key holding the kubeconfig (istiod's cluster id for the source).</summary>
    public string? SecretKey { get; init; }

    /// <summary>The source API server written in the secret (user info redacted).</summary>
    public string? Server { get; init; }

    /// <summary>SHA-256 (hex) of the first CA certificate in the secret's kubeconfig.</summary>
    public string? CaFingerprint { get; init; }

    /// <summary>When the secret's data was last written (managedFields), and by which field manager.</summary>
    public DateTimeOffset? SecretLastWrite { get; init; }

    public string? SecretFieldManager { get; init; }

    /// <summary>The identity the token authenticates as in the source, "namespace/name".</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>The token Secret in the source's istio-system that holds the token (legacy tokens).</summary>
    public string? TokenSecret { get; init; }

    public MeshTokenKind TokenKind { get; init; }

    /// <summary>When the token was issued: its token Secret's creation time, or the JWT's iat.</summary>
    public DateTimeOffset? TokenCreated { get; init; }

    public TimeSpan? TokenAge { get; init; }

    /// <summary>The JWT's exp; null for legacy tokens, which never expire.</summary>
    public DateTimeOffset? TokenExpires { get; init; }

    /// <summary>First 16 hex digits of the token's SHA-256: enough to tell tokens apart, useless to an attacker.</summary>
    public string? TokenFingerprint { get; init; }

    /// <summary>istiod's own view of the source in the target (synced, syncing, timeout, closed) when readable; else null.</summary>
    public string? SyncStatus { get; init; }

    /// <summary>Why the state is not Linked, in words.</summary>
    public string? Detail { get; init; }

    public override string ToString() => $"{Source} -> {Target}";
}

/// <summary>What the live clusters say about one ordered link.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshLinkState : long
{
    /// <summary>The target holds a remote secret for the source and its token is live in the source.</summary>
    Linked,

    /// <summary>The target holds no remote secret keyed by the source's Istio cluster name.</summary>
    Missing,

    /// <summary>A second remote secret in the target serves the same source (other name; asmcli's context-based names).</summary>
    Stale,

    /// <summary>The secret's legacy token is no longer held by any token Secret in the source: rejected with 401.</summary>
    TokenRevoked,

    /// <summary>The secret's bound token is past its exp.</summary>
    TokenExpired,

    /// <summary>The secret exists but its token could not be matched (source Secrets unreadable, or no bearer token).</summary>
    Unverified,

    /// <summary>The source or target API server could not be read.</summary>
    Unreachable,
}

/// <summary>Which kind of credential a remote secret carries.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum MeshTokenKind : long
{
    /// <summary>No bearer token (client certificate, exec plugin) or no secret at all.</summary>
    None,

    /// <summary>A long-lived token from a kubernetes.io/service-account-token Secret (no exp).</summary>
    LegacySecret,

    /// <summary>A TokenRequest JWT bound to an expiry (exp claim).</summary>
    BoundTokenRequest,

    /// <summary>A bearer token that is not a readable service-account JWT.</summary>
    Unknown,
}
