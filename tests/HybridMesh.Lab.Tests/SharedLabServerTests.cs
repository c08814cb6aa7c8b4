using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Hosting;

namespace HybridMesh.Lab.Tests;

/// <summary>
/// One process hosting many labs (--serve-labs), as the Pester suite uses it: each lab asked for is a whole lab (its
/// own lab.json, clusters and control API), stopping one leaves the others, and a wrong request changes nothing.
/// </summary>
public sealed class SharedLabServerTests
{
    [Fact]
    public async Task Hosts_two_labs_side_by_side_and_stops_only_the_one_asked()
    {
        var root = Directory.CreateTempSubdirectory("hm-shared-labs-").FullName;
        using var stop = new CancellationTokenSource();
        await using var server = await SharedLabServer.StartAsync(stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        try
        {
            var serveJson = JsonNode.Parse(await File.ReadAllTextAsync(server.WriteServeJson(root)))!;
            Assert.Equal(server.Url, (string?)serveJson["url"]);
            Assert.Equal(Environment.ProcessId, (int)serveJson["processId"]!);

            var one = Path.Combine(root, "one");
            var two = Path.Combine(root, "two");
            var first = await StartAsync(http, "--clusters", "1", "--out", one, "--lb-delay-ms", "10");
            var second = await StartAsync(http, "--clusters", "2", "--out", two);
            Assert.Equal(Path.Combine(one, "lab.json"), (string?)first["labJson"]);
            var secondLab = JsonNode.Parse(await File.ReadAllTextAsync((string)second["labJson"]!))!;
            Assert.Equal(2, secondLab["clusters"]!.AsArray().Count);
            Assert.NotEqual((string?)first["controlUrl"], (string?)second["controlUrl"]);

            // The same folder twice is refused; the first lab keeps running.
            var again = await http.PostAsJsonAsync("/labs", new { arguments = new[] { "--clusters", "1", "--out", one } });
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(2, server.LabCount);

            var stopped = await http.DeleteAsync($"/labs?out={Uri.EscapeDataString(one)}");
            Assert.Equal(HttpStatusCode.NoContent, stopped.StatusCode);
            var listed = JsonNode.Parse(await http.GetStringAsync("/labs"))!.AsArray();
            Assert.Equal([Path.GetFullPath(two)], listed.Select(n => (string)n!));
            // The stopped lab's control API is gone; the other one still answers.
            using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync((string)first["controlUrl"]! + "/clusters"));
            Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync((string)second["controlUrl"]! + "/clusters")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/labs?out={Uri.EscapeDataString(one)}")).StatusCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("unknown argument --no-such-option", "--clusters", "1", "--no-such-option")]
    [InlineData("--clusters needs a whole number, not 'two'", "--clusters", "two", "--out", "x")]
    [InlineData("a hosted lab needs --out DIR", "--clusters", "1")]
    [InlineData("--parent-pid belong to the shared process", "--clusters", "1", "--out", "x", "--parent-pid", "1")]
    public async Task A_wrong_request_is_a_400_naming_the_argument_and_starts_nothing(string expected, params string[] arguments)
    {
        using var stop = new CancellationTokenSource();
        await using var server = await SharedLabServer.StartAsync(stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var answer = await http.PostAsJsonAsync("/labs", new { arguments });
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var message = (string)JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["message"]!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Equal(0, server.LabCount);
    }

    private static async Task<JsonObject> StartAsync(HttpClient http, params string[] arguments)
    {
        var answer = await http.PostAsJsonAsync("/labs", new { arguments });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsObject();
    }
}
