using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Tests;

/// <summary>The lab's command line, as Pester, the demo and bench start it: kubeconfigs, lab.json, LAB READY, no tokens.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Starts_clusters_writes_lab_json_prints_ready_and_exits_with_its_parent()
    {
        var dir = Path.Combine(Path.GetTempPath(), "hm-lab-cli-" + Guid.NewGuid().ToString("N")[..8]);
        var dll = Path.Combine(AppContext.BaseDirectory, "HybridMesh.Lab.dll");
        // A stand-in parent: the lab must exit when this process does.
        using var parent = Process.Start(OperatingSystem.IsWindows()
            ? new ProcessStartInfo("ping", "-n 120 127.0.0.1") { RedirectStandardOutput = true }
            : new ProcessStartInfo("sleep", "120"))!;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--clusters", "2", "--out", dir, "--lb-delay-ms", "20", "--parent-pid", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        using var lab = Process.Start(psi)!;
        try
        {
            var lines = new List<string>();
            string? line;
            while ((line = await lab.StandardOutput.ReadLineAsync()) is not null)
            {
                lines.Add(line);
                if (line.StartsWith("LAB READY ", StringComparison.Ordinal)) break;
            }
            Assert.NotNull(line);
            var labJson = line!["LAB READY ".Length..];
            Assert.Equal(Path.Combine(dir, "lab.json"), labJson);
            var doc = JsonNode.Parse(File.ReadAllText(labJson))!;
            var clusters = doc["clusters"]!.AsArray();
            Assert.Equal(2, clusters.Count);
            Assert.Equal("admin@cluster2", (string?)clusters[1]!["context"]);
            Assert.Contains(lines, l => l.Contains((string)clusters[0]!["kubeconfig"]!));

            // Tokens are in the kubeconfig files only, never on stdout.
            var kubeconfig = File.ReadAllText((string)clusters[0]!["kubeconfig"]!);
            var token = kubeconfig.Split('\n').Single(l => l.TrimStart().StartsWith("token: ")).Trim()["token: ".Length..];
            // (not Assert.DoesNotContain: on failure it would print the token)
            Assert.False(lines.Any(l => l.Contains(token, StringComparison.Ordinal)), "a bearer token was printed on stdout");

            using var control = new HttpClient { BaseAddress = new Uri((string)doc["controlUrl"]!) };
            var listed = JsonNode.Parse(await control.GetStringAsync("/clusters"))!.AsArray();
            Assert.Equal(new string?[] {"cluster1", "cluster2"}, listed.Select(c => (string?)c!["name"]).ToArray());
            Assert.Equal(204, (int)(await control.PostAsJsonAsync("/clusters/cluster1/loadbalancer", new { mode = "never" })).StatusCode);

            parent.Kill();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await lab.WaitForExitAsync(bound.Token);
            Assert.Equal(0, lab.ExitCode);
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
