using System.Diagnostics;
using HybridMesh.Lab;

namespace HybridMesh.Bench.LabThroughput;

/// <summary>
/// One lab cluster, N GETs of one ConfigMap over HTTPS (8 concurrent HTTP/1.1 connections, as a
/// parallel client would open), printing the rate. Used by bench/lab-throughput.ps1.
/// </summary>
internal static class GetThroughput
{
    public static async Task<int> RunAsync(int count)
    {
        await using var lab = await LabHost.StartAsync(new LabOptions { Clusters = 1, StartControlServer = false });
        var cluster = lab.Clusters[0];
        using var client = cluster.CreateHttpClient();
        const string path = "/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert";
        for (var i = 0; i < 200; i++) (await client.GetAsync(path)).EnsureSuccessStatusCode();
        const int workers = 8;
        var next = 0;
        var failures = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var r = await client.GetAsync(path);
                await r.Content.ReadAsByteArrayAsync();
                if (!r.IsSuccessStatusCode) Interlocked.Increment(ref failures);
            }
        }));
        sw.Stop();
        var rate = count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"GETs: {count}, failures: {failures}, elapsed: {sw.Elapsed.TotalSeconds:F2} s, rate: {rate:F0} GET/s per cluster");
        try { Directory.Delete(lab.OutputDirectory, true); } catch (IOException) { }
        return failures == 0 ? 0 : 1;
    }
}
