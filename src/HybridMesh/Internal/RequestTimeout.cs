using System.Management.Automation;

namespace HybridMesh.Internal;

/// <summary>
/// One meaning per timeout parameter (docs/design/parameters.md): -TimeoutSec bounds the named wait of a cmdlet (the
/// load-balancer address, istiod's sync, the -Wait window, the istiod restart) and -RequestTimeoutSec bounds one
/// Kubernetes request, retries included. Cmdlets whose -TimeoutSec used to be the request timeout keep accepting it
/// for one release, hidden from the syntax, and say so in a warning.
/// </summary>
internal static class RequestTimeout
{
    public const int DefaultSeconds = 10;

    /// <summary>
    /// The request timeout in seconds: <paramref name="requestTimeoutSec"/>, or the deprecated -TimeoutSec value when
    /// the caller still passes <paramref name="deprecatedName"/> in its old meaning (then a warning names the new one).
    /// </summary>
    public static int Seconds(PSCmdlet cmdlet, int requestTimeoutSec, int deprecatedValue, string deprecatedName = "TimeoutSec")
    {
        if (!cmdlet.MyInvocation.BoundParameters.ContainsKey(deprecatedName))
        {
            return requestTimeoutSec;
        }

        var name = cmdlet.MyInvocation.MyCommand.Name;
        cmdlet.WriteWarning($"{name} -{deprecatedName} is the time one Kubernetes request may take and is now named " +
                            $"-RequestTimeoutSec (in every HybridMesh cmdlet -TimeoutSec bounds a named wait). Use " +
                            $"-RequestTimeoutSec {deprecatedValue}; -{deprecatedName} in this meaning goes away in the next release.");
        return deprecatedValue;
    }
}
