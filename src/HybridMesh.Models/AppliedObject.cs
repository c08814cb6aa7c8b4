namespace HybridMesh.Models;

/// <summary>What a step did to one Kubernetes object.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum ObjectOutcome : long
{
    /// <summary>The object did not exist and was created (or was deleted and recreated).</summary>
    Created,

    /// <summary>The object existed and was changed.</summary>
    Configured,

    /// <summary>The object already matched; nothing was sent.</summary>
    Unchanged,

    /// <summary>The object was removed.</summary>
    Deleted,

    /// <summary>A change was needed but not made (-WhatIf, or the user declined).</summary>
    Skipped,

    /// <summary>A removal found no such object: there was nothing to delete (Unpublish-MeshService, Remove-Mesh).</summary>
    NotFound,
}

/// <summary>One object a step created, changed, left alone, removed or skipped, as kubectl would name it.</summary>
public sealed class AppliedObject
{
    public AppliedObject(string kind, string? ns, string name, ObjectOutcome outcome, string context = "")
    {
        Kind = kind;
        Namespace = ns ?? "";
        Name = name;
        Outcome = outcome;
        Context = context;
    }

    public string Kind { get; }

    /// <summary>Empty for cluster-scoped objects.</summary>
    public string Namespace { get; }

    public string Name { get; }

    public ObjectOutcome Outcome { get; }

    /// <summary>The kubeconfig context of the cluster the object lives in.</summary>
    public string Context { get; }

    /// <summary>
    /// The field managers that owned the object before -Force took it over (e.g. "istio-operator"); empty when
    /// HybridMesh created the object or already managed it. Objects taken over are never deleted by the teardown
    /// cmdlets (docs/design/gateway-ownership.md).
    /// </summary>
    public string TakenOverFrom { get; init; } = "";

    /// <summary>"Kind namespace/name Outcome", as a one-line summary in tables.</summary>
    public override string ToString() =>
        Namespace.Length == 0 ? $"{Kind} {Name} {Outcome}" : $"{Kind} {Namespace}/{Name} {Outcome}";
}
