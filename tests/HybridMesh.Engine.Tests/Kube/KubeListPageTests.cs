using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>A list answer larger than the reader's buffer, arriving in small pieces, reads item by item (docs/design/scale.md).</summary>
public sealed class KubeListPageTests
{
    /// <summary>Hands out at most 1,000 bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1000), cancellationToken);
    }

    private static JsonObject List(int items, string value) => new()
    {
        ["kind"] = "SecretList", ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "42", ["continue"] = "next-page" },
        ["items"] = new JsonArray(Enumerable.Range(0, items).Select(i => (JsonNode)new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"s{i}", ["generation"] = 3, ["uid"] = $"uid-{i}",
                ["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "m", ["fieldsV1"] = new JsonObject { ["f:data"] = new JsonObject() } }),
            },
            ["type"] = "Opaque",
            ["immutable"] = false,
            ["data"] = new JsonObject { ["peer"] = value, ["escaped"] = "a\"b" },
        }).ToArray()),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_list_larger_than_the_buffer_reads_every_item_and_shares_long_values(bool skipBookkeeping)
    {
        var value = Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray());
        using var content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(List(300, value).ToJsonString())));

        var page = await KubeListPage.ReadAsync(content, skipBookkeeping, CancellationToken.None);

        Assert.NotNull(page);
        Assert.Equal("next-page", page.Metadata?.Continue);
        Assert.Equal(300, page.Items!.Count);
        Assert.All(page.Items, item => Assert.Equal(value, (string?)item!["data"]!["peer"]));
        Assert.Equal("a\"b", (string?)page.Items[7]!["data"]!["escaped"]);
        Assert.Same((string?)page.Items[0]!["data"]!["peer"], (string?)page.Items[299]!["data"]!["peer"]);
        // Numbers stay numbers; generation is server bookkeeping, left out with skipBookkeeping.
        Assert.Equal(skipBookkeeping ? null : 3, page.Items[5]!["metadata"]!["generation"]?.GetValue<int>());
        Assert.Equal(skipBookkeeping, page.Items[5]!["metadata"]!["uid"] is null);
        Assert.False(page.Items[5]!["immutable"]!.GetValue<bool>());
        Assert.Equal(skipBookkeeping, page.Items[5]!["metadata"]!["managedFields"] is null);
    }

    [Fact]
    public async Task An_answer_that_is_no_json_object_reads_as_no_page()
    {
        using var content = new StringContent("<html>proxy error</html>");

        Assert.Null(await KubeListPage.ReadAsync(content, skipBookkeeping: false, CancellationToken.None));
    }
}
