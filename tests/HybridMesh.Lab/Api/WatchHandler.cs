using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using HybridMesh.Lab.Server;
using HybridMesh.Lab.Store;
using Microsoft.AspNetCore.Http;

namespace HybridMesh.Lab.Api;

/// <summary>
/// Watch (§9), simplified: a 200 application/json stream of one {"type","object"} per line. Without a
/// resourceVersion (or "0") it starts with ADDED for every existing match; with one, it streams only changes made
/// after the request (no history replay, no BOOKMARK, no 410 Expired). Ends after timeoutSeconds or on disconnect.
/// When the client asks for Tables (kubectl get -w), each event carries a one-row Table.
/// </summary>
internal sealed class WatchHandler(ClusterRuntime rt)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task StreamAsync(HttpContext ctx, ApiRequest req, RequestTarget t)
    {
        var (labels, fields) = ResourceHandler.Selectors(req, t.Type);
        var channel = Channel.CreateUnbounded<(string Type, JsonObject Obj)>();
        bool Matches(JsonObject o) =>
            (t.Namespace is null || (string?)o["metadata"]?["namespace"] == t.Namespace)
            && labels.Matches(o["metadata"]?["labels"] as JsonObject) && fields.Matches(o);
        void OnChange(StoreEvent e)
        {
            if (e.GroupResource != t.Type.GroupResource) return;
            switch (e.Type)
            {
                case StoreEventType.Added when Matches(e.New!): channel.Writer.TryWrite(("ADDED", e.New!)); break;
                case StoreEventType.Modified when Matches(e.New!): channel.Writer.TryWrite(("MODIFIED", e.New!)); break;
                case StoreEventType.Modified when Matches(e.Old!): channel.Writer.TryWrite(("DELETED", e.New!)); break;
                case StoreEventType.Deleted when Matches(e.Old!):
                    var last = (JsonObject)e.Old!.DeepClone();
                    ((JsonObject)last["metadata"]!)["resourceVersion"] = rt.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    channel.Writer.TryWrite(("DELETED", last));
                    break;
            }
        }
        rt.Store.Changed += OnChange;
        try
        {
            var rv = req.Q("resourceVersion");
            if (string.IsNullOrEmpty(rv) || rv == "0")
                foreach (var o in rt.Store.List(t.Type.GroupResource, t.Namespace).Items.Where(Matches))
                    channel.Writer.TryWrite(("ADDED", o));
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            ctx.Response.Headers.CacheControl = "no-cache, private";
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted); // headers now, so clients see the watch open
            var timeout = int.TryParse(req.Q("timeoutSeconds"), out var s) && s > 0 ? s : 1800;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
            cts.CancelAfter(TimeSpan.FromSeconds(timeout));
            var table = TableConverter.Wanted(req.Accept);
            var first = true;
            try
            {
                await foreach (var (type, obj) in channel.Reader.ReadAllAsync(cts.Token))
                {
                    var output = obj;
                    if (t.Type.IsCustom && (string?)obj["apiVersion"] != t.Type.ApiVersion)
                    {
                        output = (JsonObject)obj.DeepClone();
                        output["apiVersion"] = t.Type.ApiVersion;
                    }
                    if (table)
                    {
                        // `kubectl get -w` watches Tables: one row per event, column definitions only in the first
                        output = TableConverter.Convert(t.Type, [output], (string?)output["metadata"]?["resourceVersion"] ?? "", rt.Clock.GetUtcNow());
                        if (!first) output["columnDefinitions"] = new JsonArray();
                        first = false;
                    }
                    var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                    using (var w = new Utf8JsonWriter(buffer, WriterOptions))
                    {
                        w.WriteStartObject();
                        w.WriteString("type", type);
                        w.WritePropertyName("object");
                        output.WriteTo(w);
                        w.WriteEndObject();
                    }
                    await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, cts.Token);
                    await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), cts.Token);
                    await ctx.Response.Body.FlushAsync(cts.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // timeoutSeconds reached or client gone: the stream just ends, with no closing event (§9)
            }
        }
        finally
        {
            rt.Store.Changed -= OnChange;
        }
    }
}
