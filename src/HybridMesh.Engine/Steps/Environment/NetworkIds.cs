using System.Text.RegularExpressions;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>Network ids end up as the Kubernetes label value topology.istio.io/network, so they follow its syntax.</summary>
internal static partial class NetworkIds
{
    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    /// <summary>On-premises clusters without an explicit id: asmcli's default.</summary>
    public const string OnPremDefault = "default";

    public static bool IsValid(string? value) => value is not null && LabelValue().IsMatch(value);
}
