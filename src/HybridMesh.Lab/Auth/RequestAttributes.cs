namespace HybridMesh.Lab.Auth;

/// <summary>What RBAC decides on: a resource request (verb, group, resource, subresource, namespace, name) or a path.</summary>
public sealed record RequestAttributes(
    string Verb, bool IsResource, string Group, string Resource, string Subresource, string? Namespace, string? Name, string Path);
