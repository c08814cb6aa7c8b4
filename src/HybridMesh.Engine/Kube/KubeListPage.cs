using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// One page of a list answer, read from the network stream item by item (docs/design/scale.md, "Memory"): the
/// serializer buffers one item at a time, and each item becomes its own small JsonObject (KubeListItemReader). Buffered whole, a fleet's
/// Secret lists (N−1 remote secrets with kubeconfigs, ~1.5 MB each at 250 clusters) were copied into growing
/// large-object-heap buffers and a document of the whole answer: about 1 GB of large-object garbage per
/// 250-cluster New-Mesh re-run. Only the fields a list reader uses are kept; kind and apiVersion of the list are not.
/// </summary>
internal sealed class KubeListPage
{
    private static readonly JsonSerializerOptions Full = Options(skipBookkeeping: false);
    private static readonly JsonSerializerOptions Lean = Options(skipBookkeeping: true);

    private static JsonSerializerOptions Options(bool skipBookkeeping) => new()
    {
        DefaultBufferSize = 16 * 1024,
        Converters = { new KubeListItemReader(skipBookkeeping) },
    };

    [JsonPropertyName("items")]
    public List<JsonObject?>? Items { get; set; }

    [JsonPropertyName("metadata")]
    public ListMetadata? Metadata { get; set; }

    internal sealed class ListMetadata
    {
        [JsonPropertyName("continue")]
        public string? Continue { get; set; }
    }

    /// <summary>The page, or null when the answer is not a JSON object (the caller reports an invalid answer).</summary>
    public static async Task<KubeListPage?> ReadAsync(HttpContent content, bool skipBookkeeping, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        // Outside a cmdlet run this answer is a run of its own: it shares strings among its own items only, and they
        // are dropped with it (an async method's change of the current run never reaches its caller; KubeRun).
        using var own = KubeRun.Current is null ? KubeRun.Begin() : null;
        try
        {
            return await JsonSerializer.DeserializeAsync<KubeListPage>(stream, skipBookkeeping ? Lean : Full, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
