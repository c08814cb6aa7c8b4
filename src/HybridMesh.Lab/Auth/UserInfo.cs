namespace HybridMesh.Lab.Auth;

/// <summary>Who a request is, as the API server's authenticators report it.</summary>
public sealed record UserInfo(string Name, string? Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, string[]>? Extra = null)
{
    public static readonly UserInfo Anonymous = new("system:anonymous", null, ["system:unauthenticated"]);
}
