using HybridMesh.Lab;

// Command line: start the lab and keep it running (benchmarks live in bench/, outside this shipped binary).
//   dotnet run --project src/HybridMesh.Lab -- --clusters 2 --out <dir> [--lb-delay-ms N] [--pod-start-ms N] [--distinct-roots] [--mesh-traffic] [--shared-gke-network|--own-gke-networks] [--parent-pid PID]
var clusters = 2;
string? outDir = null;
int? lbDelay = null;
int? podStart = null;
var distinctRoots = false;
var meshTraffic = false;
bool? sharedGkeNetwork = null;
int? parentPid = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--clusters": clusters = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--out": outDir = Next(); break;
        case "--lb-delay-ms": lbDelay = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--pod-start-ms": podStart = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--distinct-roots": distinctRoots = true; break;
        case "--mesh-traffic": meshTraffic = true; break;
        case "--shared-gke-network": sharedGkeNetwork = true; break;
        case "--own-gke-networks": sharedGkeNetwork = false; break;
        case "--parent-pid": parentPid = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            Console.Error.WriteLine("usage: --clusters N --out DIR [--lb-delay-ms N] [--pod-start-ms N] [--distinct-roots] [--mesh-traffic] [--shared-gke-network|--own-gke-networks] [--parent-pid PID]");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    // Started for a PowerShell session (Start-MeshLab passes --parent-pid), the lab lives as long as that session: a
    // Ctrl+C the user meant for a cmdlet reaches every process of the terminal (or console), and must not stop it.
    // SIGTERM, Stop-MeshLab and the parent's exit still do (docs/design/lab-lifetime.md).
    if (parentPid is null) stop.Cancel();
};
System.Runtime.InteropServices.PosixSignalRegistration? sigterm = null;
try
{
    sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
    {
        ctx.Cancel = true;
        stop.Cancel();
    });
}
catch (PlatformNotSupportedException)
{
    // no SIGTERM here: Ctrl+C and --parent-pid still stop the lab
}

var options = new LabOptions
{
    Clusters = clusters,
    OutputDirectory = outDir is null ? null : Path.GetFullPath(outDir),
    DistinctRoots = distinctRoots,
    SimulateMeshTraffic = meshTraffic,
    SharedGkeNetwork = sharedGkeNetwork,
    Customize = (_, c) =>
    {
        // Three or more clusters: every cluster on its own network unless asked otherwise. GKE ones get their own VPC
        // (LabOptions.SharedGkeNetwork); on-prem ones, whose default network id would be shared, their own label.
        if (clusters >= 3 && sharedGkeNetwork != true && c.Platform == LabPlatform.OnPrem) c.Network ??= $"dc-{c.Name}";
        if (lbDelay is { } ms) c.LoadBalancerDelay = TimeSpan.FromMilliseconds(ms);
        if (podStart is { } start) c.PodStartDelay = TimeSpan.FromMilliseconds(start);
    },
};
await using var lab = await LabHost.StartAsync(options, stop.Token);
foreach (var c in lab.Clusters) Console.WriteLine($"{c.Name} ({c.Platform}, context {c.Context}): {c.KubeconfigPath}");
Console.WriteLine($"control: {lab.ControlUrl}");
if (lab.Fleet is not null) Console.WriteLine($"fleet: {lab.Fleet.Url} (project {options.FleetProject}, credentials {lab.FleetCredentialFile})");
Console.WriteLine($"LAB READY {lab.LabJsonPath}");

if (parentPid is { } pid)
{
    _ = Task.Run(async () =>
    {
        try
        {
            using var parent = System.Diagnostics.Process.GetProcessById(pid);
            await parent.WaitForExitAsync(stop.Token);
        }
        catch (ArgumentException)
        {
            // the parent is already gone
        }
        catch (OperationCanceledException)
        {
            return;
        }
        stop.Cancel();
    });
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
sigterm?.Dispose();
return 0;
