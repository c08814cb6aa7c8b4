namespace HybridMesh.Models;

/// <summary>What an in-cluster probe tried to reach: a peer's API server (as istiod does) or its east-west gateway.</summary>
public enum MeshProbeTarget
{
    ApiServer,
    Gateway,
}

/// <summary>Why a probe step failed, as curl in the probe pod saw it; None when it succeeded.</summary>
public enum MeshProbeError
{
    None,
    /// <summary>The name does not resolve from the pod (curl exit 6).</summary>
    Dns,
    /// <summary>Nothing listens at that address and port, or a firewall rejects (curl exit 7).</summary>
    Refused,
    /// <summary>No answer in time: a firewall drops the packets or there is no route (curl exit 28).</summary>
    Timeout,
    /// <summary>The TLS handshake failed: wrong CA, wrong server name, or not the API server (curl exit 35, 51, 58, 60, 77, ...).</summary>
    Tls,
    /// <summary>The API server rejected the token (HTTP 401).</summary>
    Unauthorized,
    /// <summary>The token authenticates but may not do this (HTTP 403).</summary>
    Forbidden,
    /// <summary>Another HTTP status (e.g. 503 from a gateway whose proxy is not ready).</summary>
    HttpStatus,
    /// <summary>Anything else curl reported (see Message).</summary>
    Other,
}

/// <summary>
/// One step of an in-cluster probe (Test-MeshConnectivity, checks PodApiServerReach and PodGatewayReach): from a
/// short-lived pod in <see cref="From"/>, what happened when it called <see cref="Address"/> of <see cref="To"/>.
/// </summary>
public sealed class MeshProbeResult
{
    /// <summary>Context of the cluster the probe pod ran in.</summary>
    public required string From { get; init; }

    /// <summary>Context of the peer that was called.</summary>
    public required string To { get; init; }

    public required MeshProbeTarget Target { get; init; }

    /// <summary>What was called: the server of the remote secret, or the gateway's address.</summary>
    public required string Address { get; init; }

    /// <summary>The step: "GET /version", "list services", "TCP 15443" or "GET :15021/healthz/ready".</summary>
    public required string Step { get; init; }

    public bool Succeeded => Error == MeshProbeError.None;

    public MeshProbeError Error { get; init; }

    /// <summary>HTTP status, when an HTTP answer came back.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>Time the step took, in milliseconds, as curl measured it inside the pod.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>curl's own words when it failed (never a credential).</summary>
    public string? Message { get; init; }

    public override string ToString() =>
        $"{From} -> {To} {Step}: {(Succeeded ? "ok" : Error.ToString())}{(LatencyMs is { } ms ? $" ({ms:0} ms)" : "")}";
}
