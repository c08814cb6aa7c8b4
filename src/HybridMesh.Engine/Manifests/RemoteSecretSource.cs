using HybridMesh.Models;
using HybridMesh.Engine.Errors;
namespace HybridMesh.Engine.Manifests;

/// <summary>
/// What a remote secret is made of: how istiod in another cluster reaches this (source) cluster. The token is a
/// credential: <see cref="ToString"/> omits it, and no error built from this object includes it.
/// A class, not a record, because a record's generated ToString would print every property, the token included.
/// </summary>
internal sealed class RemoteSecretSource
{
    public RemoteSecretSource(string clusterName, string server, byte[] certificateAuthority, string token)
    {
        ClusterName = clusterName;
        Server = server;
        CertificateAuthority = certificateAuthority;
        Token = token;
    }

    /// <summary>The source cluster's Istio cluster name (DNS-1123 label); becomes the secret's data key.</summary>
    public string ClusterName { get; }

    /// <summary>API server URL that istiod in the target cluster can reach.</summary>
    public string Server { get; }

    /// <summary>ca.crt of the reader token Secret (PEM bytes, as decoded from the Secret's data).</summary>
    public byte[] CertificateAuthority { get; }

    /// <summary>The reader service account's token. Never log or print it.</summary>
    public string Token { get; }

    /// <summary>Namespace of istiod in the target cluster, where the secret goes.</summary>
    public string Namespace { get; init; } = IstioNames.SystemNamespace;

    /// <summary>Optional tls-server-name, when the server certificate does not name the address used.</summary>
    public string? TlsServerName { get; init; }

    public override string ToString() => $"RemoteSecretSource {ClusterName} ({MeshErrors.RedactUserInfo(Server)})";
}
