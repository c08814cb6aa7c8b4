using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;

namespace HybridMesh.Lab.Api;

/// <summary>The parts of an HTTP request the API handlers look at.</summary>
public sealed record ApiRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Query, string ContentType, string Accept, string? UserAgent,
    byte[] Body, UserInfo User)
{
    public string? Q(string name) => Query.TryGetValue(name, out var v) ? v : null;

    /// <summary>managedFields manager for non-apply writes: ?fieldManager, else the User-Agent up to the first '/'.</summary>
    public string Manager
    {
        get
        {
            var fm = Q("fieldManager");
            if (!string.IsNullOrEmpty(fm)) return fm;
            if (string.IsNullOrEmpty(UserAgent)) return "unknown";
            var slash = UserAgent.IndexOf('/');
            return slash < 0 ? UserAgent : UserAgent[..slash];
        }
    }

    public bool DryRun => Q("dryRun") == "All";

    public string MediaType => ContentType.Split(';')[0].Trim().ToLowerInvariant();
}

/// <summary>An answer: status code, JSON body (or raw text), extra headers.</summary>
public sealed record ApiResult(int Code, JsonNode? Body, string? ContentType = null, IReadOnlyList<KeyValuePair<string, string>>? Headers = null, string? Text = null);
