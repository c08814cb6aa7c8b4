using System.Collections.Concurrent;
using k8s.KubeConfigModels;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Parsed kubeconfig files, kept per process and keyed by full path, last write time and length: every cluster of a
/// fleet carries the whole file list (so that merging it again gives the same definitions), and without the cache
/// every session parsed every file again — N² YAML parses, 47 s at 250 clusters (docs/design/scale.md). A file that
/// changes on disk is parsed again. The parsed objects are shared: only code that owns a private copy (see
/// <see cref="KubeconfigSet.LoadPrivate"/>) may change them.
/// </summary>
internal static class KubeconfigCache
{
    private const int Capacity = 4096;
    private static readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    private sealed record Entry(DateTime LastWriteUtc, long Length, K8SConfiguration Config);

    public static K8SConfiguration Get(string file, Func<string, K8SConfiguration> parse)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            // Let the parser report the missing file with its own error.
            return parse(file);
        }

        var key = info.FullName;
        if (Entries.TryGetValue(key, out var entry) && entry.LastWriteUtc == info.LastWriteTimeUtc && entry.Length == info.Length)
        {
            return entry.Config;
        }

        var config = parse(file);
        if (Entries.Count >= Capacity)
        {
            // A long-lived session that has read thousands of files (many labs): start over rather than grow.
            Entries.Clear();
        }

        Entries[key] = new Entry(info.LastWriteTimeUtc, info.Length, config);
        return config;
    }
}
