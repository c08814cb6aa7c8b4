using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Mesh;

/// <summary>
/// New-Mesh's input checks, run before its first write (docs/design/cluster-names.md): a request that cannot
/// succeed must stop while every cluster is still as it was — no reader token, no remote secret.
/// <see cref="BeforeReads"/> needs nothing from the clusters; <see cref="AfterReads"/> needs their Istio cluster
/// names and reachability, and runs before the pre-flight rules of <see cref="MeshPreflight"/>.
/// </summary>
internal static class MeshRequestValidator
{
    public const string ServerOverrideParameter = "-ServerOverride";

    /// <summary>At least two distinct clusters, and every -ServerOverride value an absolute http(s) URL.</summary>
    public static void BeforeReads(MeshRequest request)
    {
        var contexts = request.Targets.Select(t => t.Context).Distinct(StringComparer.Ordinal).ToArray();
        if (contexts.Length < 2)
        {
            throw MeshErrors.MeshTooFewClusters(contexts.Length, contexts);
        }

        foreach (var (key, value) in request.ServerOverride)
        {
            if (!IsServerUrl(value))
            {
                throw MeshErrors.ServerUrlInvalid(key, value);
            }
        }
    }

    /// <summary>
    /// Every -ServerOverride key names exactly one member (its override is attached to it), and at least two members
    /// answered; unreachable ones would leave a "mesh" without a single link.
    /// </summary>
    public static void AfterReads(IReadOnlyList<MeshMember> members, MeshRequest request)
    {
        var resolver = Resolver(members);
        foreach (var (key, value) in request.ServerOverride)
        {
            var member = members[resolver.Resolve(ServerOverrideParameter, key)];
            if (member.ServerOverride is not null && member.ServerOverride != value)
            {
                throw MeshErrors.ClusterNameAmbiguous(ServerOverrideParameter, key,
                    [$"{member.Context} is given two addresses ({MeshErrors.RedactUserInfo(member.ServerOverride)}, {MeshErrors.RedactUserInfo(value)})"]);
            }

            member.ServerOverride = value;
        }

        var usable = members.Where(m => m.Unreachable is null).Select(m => m.Context).ToArray();
        if (usable.Length < 2)
        {
            throw MeshErrors.MeshTooFewClusters(usable.Length,
                members.Select(m => m.Unreachable is null ? m.Context : m.Context + " (unreachable)"));
        }
    }

    internal static ClusterNameResolver Resolver(IReadOnlyList<MeshMember> members) =>
        new(members.Select(m => new ClusterNames(m.Context, m.Details?.IstioClusterName, m.Target.Cluster.Name)));

    /// <summary>The rule the remote-secret renderer applies, checked up front (docs/design/remote-secrets.md).</summary>
    internal static bool IsServerUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0;
}
