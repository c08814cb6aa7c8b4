namespace HybridMesh.Lab.Store;

/// <summary>
/// One servable resource (group/version/plural). Built-in types and CRD-added types share this shape so the REST
/// handler, discovery and RBAC stay generic.
/// </summary>
public sealed record ResourceType
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required string Kind { get; init; }
    public required bool Namespaced { get; init; }
    public string[] ShortNames { get; init; } = [];
    public string[] Categories { get; init; } = [];
    public string[] Verbs { get; init; } = StandardVerbs;
    /// <summary>Subresources served (status, token, scale, exec...). Only "status" and "token" are implemented.</summary>
    public SubresourceType[] Subresources { get; init; } = [];
    public string? StorageVersionHash { get; init; }
    /// <summary>True for types added by a CRD: their JSON keys are sorted, lists carry kind/apiVersion on items.</summary>
    public bool IsCustom { get; init; }
    /// <summary>Status is only writable through /status (and ignored on the main resource).</summary>
    public bool HasStatusSubresource => Subresources.Any(s => s.Name == "status");

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string ListKind => Kind + "List";
    /// <summary>Key that is the same for every served version of one resource: objects are stored once per GroupResource.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static readonly string[] StandardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    public static readonly string[] CustomVerbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];
}

public sealed record SubresourceType(string Name, string Kind, string[] Verbs, string? Group = null, string? Version = null);
