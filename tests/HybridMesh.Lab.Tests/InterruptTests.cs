using System.Diagnostics;

namespace HybridMesh.Lab.Tests;

/// <summary>
/// Ctrl+C (SIGINT) and the lab's command line: a lab started for a PowerShell session (--parent-pid) lives as long as
/// that session, so a Ctrl+C meant for a cmdlet does not stop it; a lab started by hand stops on Ctrl+C.
/// </summary>
public sealed class InterruptTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sigint_stops_only_a_lab_without_a_parent(bool withParent)
    {
        if (OperatingSystem.IsWindows()) return; // SIGINT to one process is a POSIX notion; Windows console events differ.
        var dir = Path.Combine(Path.GetTempPath(), "hm-lab-int-" + Guid.NewGuid().ToString("N")[..8]);
        var dll = Path.Combine(AppContext.BaseDirectory, "HybridMesh.Lab.dll");
        using var parent = Process.Start(new ProcessStartInfo("sleep", "120"))!;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--clusters", "1", "--out", dir }) psi.ArgumentList.Add(a);
        if (withParent)
        {
            psi.ArgumentList.Add("--parent-pid");
            psi.ArgumentList.Add(parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var lab = Process.Start(psi)!;
        try
        {
            string? line;
            while ((line = await lab.StandardOutput.ReadLineAsync()) is not null && !line.StartsWith("LAB READY ", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            using (var kill = Process.Start(new ProcessStartInfo("kill", $"-INT {lab.Id}"))!)
            {
                await kill.WaitForExitAsync();
            }

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(withParent ? 3 : 30));
            var exited = await lab.WaitForExitAsync(bound.Token).ContinueWith(t => t.IsCompletedSuccessfully);
            Assert.Equal(!withParent, exited);
        }
        finally
        {
            if (!parent.HasExited) parent.Kill();
            if (!lab.HasExited) lab.Kill(entireProcessTree: true);
            await lab.WaitForExitAsync();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
