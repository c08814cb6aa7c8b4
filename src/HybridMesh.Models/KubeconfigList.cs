using System.Collections.ObjectModel;

namespace HybridMesh.Models;

/// <summary>
/// The kubeconfig files of a cluster, in precedence order. A list for scripts and JSON; as text (Export-Csv,
/// string interpolation) the files joined with the OS path separator, the $env:KUBECONFIG form, which every
/// -Kubeconfig parameter splits again, so `Get-MeshCluster | Export-Csv` then `Import-Csv | Get-MeshCluster`
/// round-trips (docs/design/cluster-picking.md).
/// </summary>
public sealed class KubeconfigList : ReadOnlyCollection<string>
{
    public KubeconfigList(IEnumerable<string> files)
        : base(files.ToArray())
    {
    }

    /// <summary>One -Kubeconfig value split into files: on the OS path separator, as $env:KUBECONFIG is.</summary>
    public static string[] Split(string value) =>
        value.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => string.Join(Path.PathSeparator, this);
}
