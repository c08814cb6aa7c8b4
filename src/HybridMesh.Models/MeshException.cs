namespace HybridMesh.Models;

/// <summary>
/// A failure the user can act on. The cmdlet layer turns it into an ErrorRecord with the stable <see cref="ErrorId"/>,
/// the category, the target and the recommended action. Messages must never contain credentials.
/// </summary>
public class MeshException : Exception
{
    public MeshException(string errorId, MeshErrorCategory category, object? target, string message,
        string recommendedAction, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    /// <summary>Stable id without the "HybridMesh." prefix, e.g. "KubeconfigNotFound".</summary>
    public string ErrorId { get; }
    public MeshErrorCategory Category { get; }
    public object? Target { get; }
    public string RecommendedAction { get; }
}
