namespace HybridMesh.Lab.Fleet;

/// <summary>How the simulated fleet behaves.</summary>
public sealed class FleetOptions
{
    /// <summary>How long a GKE Hub create operation stays "running" before it is done.</summary>
    public TimeSpan OperationDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Lifetime of tokens the /token endpoint issues.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>client_email of the service account WriteServiceAccountCredentialFile writes.</summary>
    public string ServiceAccountEmail { get; init; } = "hybridmesh-lab@lab-project.iam.gserviceaccount.com";

    /// <summary>Page size of memberships.list when the client sends none.</summary>
    public int DefaultPageSize { get; init; } = 50;

    /// <summary>
    /// The service-account key (PKCS#8 PEM) the fleet signs its credential file with and verifies assertions against;
    /// null (the command-line lab) generates a new RSA 2048 key for this fleet. A test process that starts dozens of
    /// fleets passes one key generated once: generating it was a quarter of the xunit CPU (docs/design/test-suite.md).
    /// A fleet started without it still refuses the credential file of any other fleet.
    /// </summary>
    public string? ServiceAccountKeyPem { get; init; }
}

/// <summary>The APIs the fleet serves; faults and the request log are per API.</summary>
public enum FleetApi
{
    All,
    ResourceManager,
    Container,
    GkeHub,
    Token,
    Unknown,
}

/// <summary>One request the fleet answered (never its headers: they carry the bearer token).</summary>
public sealed record FleetRequest(DateTimeOffset Time, FleetApi Api, string Method, string Path, int Status,
    bool Faulted);
