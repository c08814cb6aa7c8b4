using HybridMesh.Lab;
using HybridMesh.Lab.Hosting;

// Command line: start the lab and keep it running (benchmarks live in bench/, outside this shipped binary).
//   dotnet run --project src/HybridMesh.Lab -- --clusters 2 --out <dir> [--lb-delay-ms N] [--pod-start-ms N] [--distinct-roots] [--mesh-traffic] [--shared-gke-network|--own-gke-networks] [--parent-pid PID]
//   dotnet HybridMesh.Lab.dll --serve-labs [--out <dir>] [--parent-pid PID]   (hosts labs asked for over HTTP: Hosting/SharedLabServer.cs; Start-MeshLab -Shared)
LabCommandLine line;
try
{
    line = LabCommandLine.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LabCommandLine.Usage);
    return 2;
}
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    // Started for a PowerShell session (Start-MeshLab passes --parent-pid), the lab lives as long as that session: a
    // Ctrl+C the user meant for a cmdlet reaches every process of the terminal (or console), and must not stop it.
    // SIGTERM, Stop-MeshLab and the parent's exit still do (docs/design/lab-lifetime.md).
    if (line.ParentPid is null) stop.Cancel();
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

SharedLabServer? shared = null;
LabHost? lab = null;
if (line.ServeLabs)
{
    shared = await SharedLabServer.StartAsync(stop.Token);
    if (line.OutputDirectory is not null) shared.WriteServeJson(Path.GetFullPath(line.OutputDirectory));
    Console.WriteLine($"LABS READY {shared.Url}");
    Console.Out.Flush();
    // Start-MeshLab -Shared reads that one line and then never reads standard output again: nothing more may be
    // written there, or a full pipe would block the process.
    Console.SetOut(TextWriter.Null);
}
else
{
    lab = await LabHost.StartAsync(line.ToOptions(), stop.Token);
    foreach (var c in lab.Clusters) Console.WriteLine($"{c.Name} ({c.Platform}, context {c.Context}): {c.KubeconfigPath}");
    Console.WriteLine($"control: {lab.ControlUrl}");
    if (lab.Fleet is not null) Console.WriteLine($"fleet: {lab.Fleet.Url} (project {lab.Options.FleetProject}, credentials {lab.FleetCredentialFile})");
    Console.WriteLine($"LAB READY {lab.LabJsonPath}");
}

if (line.ParentPid is { } pid)
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
if (lab is not null) await lab.DisposeAsync();
if (shared is not null) await shared.DisposeAsync();
sigterm?.Dispose();
return 0;
