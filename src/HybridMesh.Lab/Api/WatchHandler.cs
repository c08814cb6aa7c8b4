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
/// Watch (docs/design/kube-api-answers.md §9): a 200 application/json stream of one {"type","object"} per line. Without a resourceVersion (or "0")
/// it starts with ADDED for every existing match; with one, it replays the changes made since (the last 10,000 are
/// kept), or sends one ERROR Expired (410) event when that revision is older. No BOOKMARK events. Ends after
/// timeoutSeconds or on disconnect.
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
        (string Type, JsonObject Obj)? Translate(StoreEvent e)
        {
            if (e.GroupResource != t.Type.GroupResource) return null;
            switch (e.Type)
            {
                case StoreEventType.Added when Matches(e.New!): return ("ADDED", e.New!);
                case StoreEventType.Modified when Matches(e.New!): return Matches(e.Old!) ? ("MODIFIED", e.New!) : ("ADDED", e.New!);
                case StoreEventType.Modified when Matches(e.Old!): return ("DELETED", e.New!);
                case StoreEventType.Deleted when Matches(e.Old!):
                    // DELETED carries the last state with the delete's revision (docs/design/kube-api-answers.md §9)
                    var last = (JsonObject)e.Old!.DeepClone();
                    ((JsonObject)last["metadata"]!)["resourceVersion"] = e.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return ("DELETED", last);
                default: return null;
            }
        }
        long replayedUpTo = 0;
        void OnChange(StoreEvent e)
        {
            if (e.Revision <= Interlocked.Read(ref replayedUpTo)) return;
            if (Translate(e) is { } ev) channel.Writer.TryWrite(ev);
        }
        // Snapshot and subscription happen under the store lock, so nothing committed in between is lost; events
        // raised late for revisions the snapshot already covers are skipped by OnChange.
        rt.Store.Transact(() =>
        {
            var rv = req.Q("resourceVersion");
            Interlocked.Exchange(ref replayedUpTo, rt.Store.Revision);
            if (string.IsNullOrEmpty(rv) || rv == "0" || !long.TryParse(rv, out var from))
            {
                foreach (var o in rt.Store.List(t.Type.GroupResource, t.Namespace).Items.Where(Matches)) channel.Writer.TryWrite(("ADDED", o));
            }
            else
            {
                var (events, expired, oldest) = rt.Store.Since(from);
                if (expired)
                {
                    channel.Writer.TryWrite(("ERROR", KubeStatus.Failure($"too old resource version: {from} ({oldest})", "Expired", 410)));
                    channel.Writer.TryComplete();
                    return;
                }
                foreach (var e in events)
                    if (Translate(e) is { } ev) channel.Writer.TryWrite(ev);
            }
            rt.Store.Changed += OnChange;
        });
        try
        {
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
                // timeoutSeconds reached or client gone: the stream just ends, with no closing event (docs/design/kube-api-answers.md §9)
            }
        }
        finally
        {
            rt.Store.Changed -= OnChange;
        }
    }
}
