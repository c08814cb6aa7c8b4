using System.Security;

namespace HybridMesh.Engine.Google;

/// <summary>
/// How the Engine reaches Google Cloud: credentials, endpoints and retry behaviour. Every member is optional;
/// the defaults are the public Google endpoints and application default credentials.
/// </summary>
public sealed class GoogleApiOptions
{
    /// <summary>
    /// An OAuth2 access token to use instead of application default credentials. Kept as a SecureString and turned
    /// into text only while a request's Authorization header is written.
    /// </summary>
    public SecureString? AccessToken { get; init; }

    /// <summary>Base URL of Cloud Resource Manager (default https://cloudresourcemanager.googleapis.com/).</summary>
    public Uri? ResourceManagerEndpoint { get; init; }

    /// <summary>Base URL of the GKE API (default https://container.googleapis.com/).</summary>
    public Uri? ContainerEndpoint { get; init; }

    /// <summary>Base URL of GKE Hub, the fleet API (default https://gkehub.googleapis.com/).</summary>
    public Uri? GkeHubEndpoint { get; init; }

    public GoogleRetryOptions Retry { get; init; } = new();

    /// <summary>How often a long-running fleet operation is polled.</summary>
    public TimeSpan OperationPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Environment variables to read endpoints from (null: the process environment). Lets tests stay hermetic.</summary>
    public Func<string, string?>? EnvironmentReader { get; init; }
}

/// <summary>Retry with exponential backoff on 429, 5xx and connection failures; never on other 4xx answers.</summary>
public sealed class GoogleRetryOptions
{
    /// <summary>Attempts per call, the first included.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; doubled for every further retry, with ±25 % jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound of one backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Upper bound of a server's Retry-After that is honoured; longer waits are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time one attempt may take before it counts as a connection failure.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
