namespace HybridMesh.Engine.Kube;

/// <summary>One API resource as discovery reports it: where its objects live and whether they are namespaced.</summary>
internal sealed record KubeResourceInfo(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    /// <summary>"v1" for the core group, else "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"configmaps" or "gateways.networking.istio.io", as kubectl and RBAC messages name resources.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The collection path: /api/v1[/namespaces/ns]/plural or /apis/g/v[/namespaces/ns]/plural.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? "/api/" + Version : $"/apis/{Group}/{Version}";
        return Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{root}/{Plural}";
    }

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";

    /// <summary>Splits "networking.istio.io/v1" into group and version; "v1" is the core group.</summary>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
