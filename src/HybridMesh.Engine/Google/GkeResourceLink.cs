using System.Globalization;

namespace HybridMesh.Engine.Google;

/// <summary>
/// A GKE cluster named by a resource link. Tools spell the same cluster differently: GKE Hub stores
/// //container.googleapis.com/projects/P/locations/L/clusters/C, but P may be the project number, older tools write
/// "zones/" instead of "locations/", and some write the https://container.googleapis.com/v1/ URI. Comparing the
/// parts instead of the strings finds a membership made by any of them (docs/design/fleet-registration.md).
/// </summary>
internal sealed record GkeResourceLink(string Project, string Location, string Cluster)
{
    private static readonly string[] Prefixes =
    [
        "//container.googleapis.com/",
        "https://container.googleapis.com/v1/",
        "https://container.googleapis.com/v1beta1/",
        "container.googleapis.com/",
    ];

    /// <summary>Null when <paramref name="link"/> is not a GKE cluster link.</summary>
    public static GkeResourceLink? Parse(string? link)
    {
        if (string.IsNullOrWhiteSpace(link))
        {
            return null;
        }

        var rest = Prefixes.Where(p => link.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            .Select(p => link[p.Length..]).FirstOrDefault();
        var parts = rest?.Trim('/').Split('/');
        return parts is ["projects", var project, "locations" or "zones", var location, "clusters", var cluster]
            ? new GkeResourceLink(project, location, cluster)
            : null;
    }

    /// <summary>
    /// True when this link names <paramref name="cluster"/>: same cluster name and location (case-insensitive, as
    /// GKE's are lowercase), and a project that is the cluster's id or its number (when known).
    /// </summary>
    public bool Names(GkeClusterInfo cluster, long? clusterProjectNumber) =>
        string.Equals(Cluster, cluster.Name, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(Location, cluster.Location, StringComparison.OrdinalIgnoreCase) &&
        (string.Equals(Project, cluster.Project, StringComparison.OrdinalIgnoreCase) ||
         (clusterProjectNumber is { } number &&
          Project == number.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The project is written as a number, so comparing it needs the cluster project's number.</summary>
    public bool ProjectIsNumber => Project.Length > 0 && Project.All(char.IsAsciiDigit);
}

/// <summary>A fleet membership named by its full resource name, //gkehub.googleapis.com/projects/P/locations/L/memberships/ID.</summary>
internal sealed record FleetMembershipName(string Project, string Location, string Id)
{
    public static FleetMembershipName? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var start = Array.IndexOf(parts, "projects");
        return start >= 0 && parts[start..] is ["projects", var project, "locations", var location, "memberships", var id]
            ? new FleetMembershipName(project, location, id)
            : null;
    }

    /// <summary>Whether the project segment is the fleet project, by id or by number.</summary>
    public bool InFleet(string fleetProject, long? fleetNumber) =>
        Project == fleetProject ||
        (fleetNumber is { } number && Project == number.ToString(CultureInfo.InvariantCulture));
}
