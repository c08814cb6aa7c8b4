using System.Globalization;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Environment;

/// <summary>
/// The runbook's shell variables for an environment: PROJECT_NUMBER, MESH_ID and NETWORK_1..N, for scripts that
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
        var networks = environment.Networks;
        for (var i = 0; i < networks.Length; i++)
        {
            result.Add(new("NETWORK_" + (i + 1).ToString(CultureInfo.InvariantCulture), networks[i]));
        }

        // Stale NETWORK_k would make a script's loop over NETWORK_1.. pick up a cluster that is no longer there.
        for (var k = networks.Length + 1; currentValue("NETWORK_" + k.ToString(CultureInfo.InvariantCulture)) is not null; k++)
        {
            result.Add(new("NETWORK_" + k.ToString(CultureInfo.InvariantCulture), null));
        }

        return result;
    }
}
