using System.Globalization;

namespace HybridMesh.Lab.Hosting;

/// <summary>
/// The lab's command-line options (one lab per process, or one lab asked of a shared lab process with the same
/// arguments) and the <see cref="LabOptions"/> they stand for.
/// </summary>
public sealed class LabCommandLine
{
    public const string Usage =
        "usage: --clusters N --out DIR [--lb-delay-ms N] [--pod-start-ms N] [--distinct-roots] [--mesh-traffic] [--shared-gke-network|--own-gke-networks] [--parent-pid PID]\n" +
        "   or: --serve-labs [--out DIR] [--parent-pid PID]   (one process hosting labs asked for over HTTP: prints LABS READY <url>; docs/design/lab-reuse.md)";

    public int Clusters { get; private set; } = 2;
    public string? OutputDirectory { get; private set; }
    public int? LoadBalancerDelayMs { get; private set; }
    public int? PodStartDelayMs { get; private set; }
    public bool DistinctRoots { get; private set; }
    public bool MeshTraffic { get; private set; }
    public bool? SharedGkeNetwork { get; private set; }
    public int? ParentPid { get; private set; }
    public bool ServeLabs { get; private set; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the argument that is wrong.</summary>
    public static LabCommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new LabCommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int NextInt()
            {
                var text = Next();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new ArgumentException($"{name} needs a whole number, not '{text}'");
            }
            switch (name)
            {
                case "--clusters": line.Clusters = NextInt(); break;
                case "--out": line.OutputDirectory = Next(); break;
                case "--lb-delay-ms": line.LoadBalancerDelayMs = NextInt(); break;
                case "--pod-start-ms": line.PodStartDelayMs = NextInt(); break;
                case "--distinct-roots": line.DistinctRoots = true; break;
                case "--mesh-traffic": line.MeshTraffic = true; break;
                case "--shared-gke-network": line.SharedGkeNetwork = true; break;
                case "--own-gke-networks": line.SharedGkeNetwork = false; break;
                case "--parent-pid": line.ParentPid = NextInt(); break;
                case "--serve-labs": line.ServeLabs = true; break;
                default: throw new ArgumentException($"unknown argument {name}");
            }
        }
        if (line.Clusters < 1) throw new ArgumentException("--clusters needs at least 1");
        return line;
    }

    public LabOptions ToOptions()
    {
        var clusters = Clusters;
        var shared = SharedGkeNetwork;
        var lbDelay = LoadBalancerDelayMs;
        var podStart = PodStartDelayMs;
        return new LabOptions
        {
            Clusters = clusters,
            OutputDirectory = OutputDirectory is null ? null : Path.GetFullPath(OutputDirectory),
            DistinctRoots = DistinctRoots,
            SimulateMeshTraffic = MeshTraffic,
            SharedGkeNetwork = shared,
            Customize = (_, c) =>
            {
                // Three or more clusters: every cluster on its own network unless asked otherwise. GKE ones get their
                // own VPC (LabOptions.SharedGkeNetwork); on-prem ones, whose default network id would be shared, their
                // own label.
                if (clusters >= 3 && shared != true && c.Platform == LabPlatform.OnPrem) c.Network ??= $"dc-{c.Name}";
                if (lbDelay is { } ms) c.LoadBalancerDelay = TimeSpan.FromMilliseconds(ms);
                if (podStart is { } start) c.PodStartDelay = TimeSpan.FromMilliseconds(start);
            },
        };
    }
}
