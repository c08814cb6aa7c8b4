using System.Globalization;

namespace HybridMesh.Lab.Api;

public static class KubeTime
{
    /// <summary>RFC 3339 with whole seconds, as the API server writes timestamps.</summary>
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
