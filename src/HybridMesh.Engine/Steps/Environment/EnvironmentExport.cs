using System.Globalization;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>
/// The runbook's shell variables for an environment: PROJECT_NUMBER, MESH_ID, NETWORK_1..N and CTX_1..N, for scripts that
/// still run the documented commands. A null value means "remove": NETWORK_k left over from a larger earlier run.
/// </summary>
internal static class EnvironmentExport
{
    public static IReadOnlyList<KeyValuePair<string, string?>> Variables(MeshEnvironment environment,
        Func<string, string?> currentValue)
    {
        var result = new List<KeyValuePair<string, string?>>
        {
            new("PROJECT_NUMBER", environment.ProjectNumber.ToString(CultureInfo.InvariantCulture)),
            new("MESH_ID", environment.MeshId),
        };
        Numbered(result, "NETWORK_", environment.Networks, currentValue);
        // CTX_k is the kubeconfig context of the cluster whose network is NETWORK_k: the runbook's commands take
        // --context=${CTX_1} and ${NETWORK_1} together (docs/design/cluster-picking.md).
        Numbered(result, "CTX_", environment.Clusters.Select(c => c.Context).ToArray(), currentValue);
        return result;
    }

    private static void Numbered(List<KeyValuePair<string, string?>> result, string prefix, string[] values,
        Func<string, string?> currentValue)
    {
        for (var i = 0; i < values.Length; i++)
        {
            result.Add(new(prefix + (i + 1).ToString(CultureInfo.InvariantCulture), values[i]));
        }

        // A stale NETWORK_k or CTX_k would make a script's loop over 1.. pick up a cluster that is no longer there.
        for (var k = values.Length + 1; currentValue(prefix + k.ToString(CultureInfo.InvariantCulture)) is not null; k++)
        {
            result.Add(new(prefix + k.ToString(CultureInfo.InvariantCulture), null));
        }
    }
}
