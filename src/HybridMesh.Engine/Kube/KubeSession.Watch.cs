using System.Text.Json.Nodes;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

/// <summary>How a watch on one object ended: the object that met the condition, its deletion, or neither.</summary>
/// <param name="Object">The object that met the condition, the deleted object's last state, or the last state seen (null when none came).</param>
/// <param name="Met">The condition held for <paramref name="Object"/>.</param>
/// <param name="Deleted">The object was deleted.</param>
internal sealed record KubeWatchResult(JsonObject? Object, bool Met, bool Deleted);

/// <summary>
/// A watch on one object (docs/design/in-cluster-probes.md, "The cost"): one streamed GET
/// (`?watch=1&amp;fieldSelector=metadata.name=N&amp;resourceVersion=RV`) that the API server answers with a line per change
/// (`{"type":"ADDED|MODIFIED|DELETED|ERROR","object":{...}}`, docs/design/kube-api-answers.md §9), instead of one GET
/// every poll interval: the caller learns of the change as soon as it is stored, at the cost of one request.
/// </summary>
internal sealed partial class KubeSession
{
    /// <summary>
    /// Changes of <paramref name="name"/> after <paramref name="resourceVersion"/> until <paramref name="met"/> holds for
    /// one, the object is deleted, or the watch ends (<paramref name="timeout"/>, the server closing it, an ERROR event
    /// such as 410 Expired): then the result says neither, and the caller reads the object itself. A refused watch
    /// (403: the identity may get but not watch) is thrown as the MeshException of any refused request.
    /// </summary>
    internal async Task<KubeWatchResult> WatchObjectAsync(string apiVersion, string kindOrPlural, string? ns, string name,
        string resourceVersion, Func<JsonObject, bool> met, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var resource = await ResolveAsync(apiVersion, kindOrPlural, cancellationToken).ConfigureAwait(false);
        RequireNamespace(resource, ns);
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var path = resource.CollectionPath(ns) + new QueryBuilder().Add("watch", "1").Add("fieldSelector", "metadata.name=" + name)
            .Add("resourceVersion", resourceVersion).Add("timeoutSeconds", seconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The server ends the watch after timeoutSeconds; this bound only covers a server that does not.
        deadline.CancelAfter(timeout + _options.Timeout);
        using var request = NewRequest(HttpMethod.Get, path, content: null, idempotent: true);

        JsonObject? last = null;
        try
        {
            if (_client.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, deadline.Token).ConfigureAwait(false);
            }

            using var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                throw Failure(new KubeResponse(response.StatusCode, response.ReasonPhrase, body, 1), new KubeOperation("watch", resource, ns, name, path));
            }

            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var change = JsonNode.Parse(line) as JsonObject;
                var type = (string?)change?["type"];
                if (type == "ERROR" || change?["object"] is not JsonObject obj)
                {
                    break;
                }

                if (type == "DELETED")
                {
                    return new KubeWatchResult(obj, Met: false, Deleted: true);
                }

                last = obj;
                if (met(obj))
                {
                    return new KubeWatchResult(obj, Met: true, Deleted: false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The watch outlived its bound: as if the server had ended it.
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw MeshErrors.ApiServerUnreachable(Context, Server.ToString(), Attempted(request, ex), ex);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw MeshErrors.ApiServerUnreachable(Context, Server.ToString(), $"the watch stream broke off: {MeshErrors.FirstLine(ex.Message)}", ex);
        }

        return new KubeWatchResult(last, Met: false, Deleted: false);
    }
}
