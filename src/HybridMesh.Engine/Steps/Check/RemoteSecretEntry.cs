using System.Text.Json.Nodes;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>
/// A remote secret as a snapshot keeps it: its name, labels, annotations and data as text (docs/design/scale.md,
/// "What a snapshot keeps"). New-Mesh keeps every cluster's snapshot until it ends, and as a JsonObject tree (five
/// objects with their dictionaries and a node per value) each of a 250-cluster fleet's 62,250 remote secrets cost
/// about 3 KB: most of a re-run's live heap. This holds the same facts in a few small arrays; the strings are the
/// list reader's shared ones. A value that is not a JSON string is kept as null.
/// </summary>
internal sealed class RemoteSecretEntry
{
    private readonly KeyValuePair<string, string?>[] _labels;
    private readonly KeyValuePair<string, string?>[] _annotations;
    private readonly KeyValuePair<string, string?>[] _data;

    private RemoteSecretEntry(string name, KeyValuePair<string, string?>[] labels, KeyValuePair<string, string?>[] annotations,
        KeyValuePair<string, string?>[] data)
    {
        Name = name;
        _labels = labels;
        _annotations = annotations;
        _data = data;
    }

    public string Name { get; }

    /// <summary>The data keys with their (base64) values, in the order the server sent them.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Data => _data;

    public string? Label(string key) => Find(_labels, key);

    public string? Annotation(string key) => Find(_annotations, key);

    /// <summary>The value of data key <paramref name="key"/>; false when the key is absent.</summary>
    public bool TryGetData(string key, out string? value)
    {
        foreach (var pair in _data)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public static RemoteSecretEntry From(JsonObject secret)
    {
        var metadata = secret["metadata"];
        return new RemoteSecretEntry(ClusterSnapshot.Text(metadata?["name"]) ?? "", Pairs(metadata?["labels"]),
            Pairs(metadata?["annotations"]), Pairs(secret["data"]));
    }

    private static KeyValuePair<string, string?>[] Pairs(JsonNode? node)
    {
        if (node is not JsonObject { Count: > 0 } obj)
        {
            return [];
        }

        var pairs = new KeyValuePair<string, string?>[obj.Count];
        var i = 0;
        foreach (var (key, value) in obj)
        {
            pairs[i++] = new KeyValuePair<string, string?>(key, ClusterSnapshot.Text(value));
        }

        return pairs;
    }

    private static string? Find(KeyValuePair<string, string?>[] pairs, string key)
    {
        foreach (var pair in pairs)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        return null;
    }
}
