using System.Text;
using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>
/// kubectl sends TokenRequest, SelfSubjectAccessReview and `kubectl create namespace|configmap|secret|serviceaccount` bodies as Kubernetes protobuf (docs/design/kube-api-answers.md §11): the magic "k8s\0",
/// then runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw}. Only those two messages are decoded, into
/// the JSON the handlers already take; answers go back as JSON, which kubectl accepts.
/// </summary>
public static class ProtobufBodies
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic)) throw KubeStatus.BadRequest("invalid protobuf body");
        var unknown = Fields(body.AsMemory(4));
        var typeMeta = unknown.TryGetValue(1, out var tm) ? Fields(tm[0]) : [];
        var apiVersion = Str(typeMeta, 1);
        var kind = Str(typeMeta, 2);
        var raw = unknown.TryGetValue(2, out var r) ? r[0] : ReadOnlyMemory<byte>.Empty;
        var msg = Fields(raw);
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = Metadata(msg) };
        var spec = msg.TryGetValue(2, out var s) ? Fields(s[0]) : [];
        switch (kind)
        {
            case "TokenRequest":
                var ts = new JsonObject();
                if (spec.TryGetValue(1, out var aud)) ts["audiences"] = new JsonArray(aud.Select(a => (JsonNode?)Encoding.UTF8.GetString(a.Span)).ToArray());
                if (spec.TryGetValue(4, out var exp)) ts["expirationSeconds"] = Varint(exp[0]);
                obj["spec"] = ts;
                break;
            case "SelfSubjectAccessReview":
                var ss = new JsonObject();
                if (spec.TryGetValue(1, out var ra))
                {
                    var f = Fields(ra[0]);
                    var names = new[] { "", "namespace", "verb", "group", "version", "resource", "subresource", "name" };
                    var attrs = new JsonObject();
                    for (var i = 1; i < names.Length; i++)
                        if (f.ContainsKey(i)) attrs[names[i]] = Str(f, i);
                    ss["resourceAttributes"] = attrs;
                }
                if (spec.TryGetValue(2, out var nra))
                {
                    var f = Fields(nra[0]);
                    ss["nonResourceAttributes"] = new JsonObject { ["path"] = Str(f, 1), ["verb"] = Str(f, 2) };
                }
                obj["spec"] = ss;
                break;
            case "Namespace" or "ServiceAccount":
                // `kubectl create namespace|serviceaccount` send protobuf: only metadata matters
                break;
            case "ConfigMap":
                // `kubectl create configmap`: 2 data (map<string,string>), 3 binaryData (map<string,bytes>)
                if (msg.TryGetValue(2, out var cmData)) obj["data"] = Map(cmData);
                if (msg.TryGetValue(3, out var cmBinary)) obj["binaryData"] = Map(cmBinary, base64: true);
                break;
            case "Secret":
                // `kubectl create secret generic`: 2 data (map<string,bytes>), 3 type
                if (msg.TryGetValue(2, out var secretData)) obj["data"] = Map(secretData, base64: true);
                if (Str(msg, 3) is { Length: > 0 } secretType) obj["type"] = secretType;
                break;
            case "SelfSubjectRulesReview":
                obj["spec"] = new JsonObject { ["namespace"] = Str(spec, 1) };
                break;
            default:
                throw new KubeApiException(415, KubeStatus.Failure("415: Unsupported Media Type", "UnsupportedMediaType", 415, new JsonObject()));
        }
        return obj;
    }

    private static JsonObject Metadata(Dictionary<int, List<ReadOnlyMemory<byte>>> msg)
    {
        var meta = new JsonObject();
        if (msg.TryGetValue(1, out var m))
        {
            var f = Fields(m[0]);
            // proto2 optional strings arrive even when empty; the JSON form omits them
            foreach (var (n, key) in new[] { (1, "name"), (2, "generateName"), (3, "namespace") })
                if (Str(f, n) is { Length: > 0 } v) meta[key] = v;
            if (f.TryGetValue(11, out var labels)) meta["labels"] = Map(labels);
            if (f.TryGetValue(12, out var annotations)) meta["annotations"] = Map(annotations);
        }
        return meta;
    }

    private static JsonObject Map(List<ReadOnlyMemory<byte>> entries, bool base64 = false)
    {
        var map = new JsonObject();
        foreach (var e in entries)
        {
            var kv = Fields(e);
            map[Str(kv, 1)] = base64
                ? Convert.ToBase64String(kv.TryGetValue(2, out var v) ? v[0].ToArray() : [])
                : Str(kv, 2);
        }
        return map;
    }

    private static string Str(Dictionary<int, List<ReadOnlyMemory<byte>>> f, int n) =>
        f.TryGetValue(n, out var v) ? Encoding.UTF8.GetString(v[0].Span) : "";

    private static long Varint(ReadOnlyMemory<byte> m)
    {
        long v = 0;
        var shift = 0;
        foreach (var b in m.Span)
        {
            v |= (long)(b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) break;
        }
        return v;
    }

    /// <summary>Splits a message into fields; varints are kept as their raw bytes, length-delimited as their payload.</summary>
    private static Dictionary<int, List<ReadOnlyMemory<byte>>> Fields(ReadOnlyMemory<byte> data)
    {
        var result = new Dictionary<int, List<ReadOnlyMemory<byte>>>();
        var span = data.Span;
        var i = 0;
        while (i < span.Length)
        {
            var key = ReadVarint(span, ref i);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            ReadOnlyMemory<byte> value;
            switch (wire)
            {
                case 0:
                    var start = i;
                    ReadVarint(span, ref i);
                    value = data[start..i];
                    break;
                case 1: value = data.Slice(i, 8); i += 8; break;
                case 2:
                    var len = (int)ReadVarint(span, ref i);
                    value = data.Slice(i, len);
                    i += len;
                    break;
                case 5: value = data.Slice(i, 4); i += 4; break;
                default: throw KubeStatus.BadRequest("invalid protobuf body");
            }
            if (!result.TryGetValue(field, out var list)) result[field] = list = [];
            list.Add(value);
        }
        return result;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong v = 0;
        var shift = 0;
        while (i < span.Length)
        {
            var b = span[i++];
            v |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
            shift += 7;
        }
        throw KubeStatus.BadRequest("invalid protobuf body");
    }
}
