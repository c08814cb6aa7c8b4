using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Kube;

/// <summary>What a server-side apply did to the object.</summary>
internal enum ApplyOutcome
{
    /// <summary>The object did not exist; the server answered 201.</summary>
    Created,

    /// <summary>The object existed and the apply changed it (a new resourceVersion).</summary>
    Configured,

    /// <summary>The object already was as applied: the server kept its resourceVersion (a true no-op).</summary>
    Unchanged,
}

/// <summary>The object as the server returned it after the apply, and what the apply did.</summary>
internal sealed class ApplyResult
{
    public ApplyResult(JsonObject @object, ApplyOutcome outcome)
    {
        Object = @object;
        Outcome = outcome;
    }

    public JsonObject Object { get; }

    public ApplyOutcome Outcome { get; }
}
