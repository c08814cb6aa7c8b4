namespace HybridMesh.Models;

/// <summary>
/// One kubeconfig context that may take part in the mesh. Carries Kubeconfig and Context, the binding keys every
/// later cmdlet accepts by property name.
/// </summary>
public sealed class MeshCluster
{
    public MeshCluster(string name, string context, IReadOnlyList<string> kubeconfig, string server,
        ClusterPlatform platform, string? gkeProject = null, string? gkeLocation = null, string? gkeCluster = null,
        string? authentication = null)
    {
        Name = name;
        Context = context;
        Kubeconfig = new KubeconfigList(kubeconfig);
        Server = server;
        Platform = platform;
        GkeProject = gkeProject;
        GkeLocation = gkeLocation;
        GkeCluster = gkeCluster;
        Authentication = authentication ?? "";
    }

    /// <summary>Short display name: the GKE cluster name for GKE contexts, else the context name.</summary>
    public string Name { get; }

    /// <summary>The kubeconfig context.</summary>
    public string Context { get; }

    /// <summary>The kubeconfig files that were merged to find the context, in precedence order (as text: joined with the path separator).</summary>
    public KubeconfigList Kubeconfig { get; }

    /// <summary>The API server URL from the kubeconfig.</summary>
    public string Server { get; }

    public ClusterPlatform Platform { get; }

    public string? GkeProject { get; }

    public string? GkeLocation { get; }

    public string? GkeCluster { get; }

    /// <summary>How the context authenticates (Token, ClientCertificate, Exec:&lt;command&gt;, AuthProvider:&lt;name&gt;, None). Never the secret itself.</summary>
    public string Authentication { get; }

    /// <summary>Live facts, filled only when asked for (Get-MeshCluster -Detailed).</summary>
    public ClusterDetails? Details { get; init; }

    /// <summary>The same cluster with live facts attached (Details is init-only, so this is a copy).</summary>
    public MeshCluster WithDetails(ClusterDetails? details) =>
        new(Name, Context, Kubeconfig, Server, Platform, GkeProject, GkeLocation, GkeCluster, Authentication)
        {
            Details = details,
        };

    public override string ToString() => Context;
}
