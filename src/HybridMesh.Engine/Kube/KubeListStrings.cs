using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// The strings list readers share, for one cmdlet run (docs/design/scale.md, "Shared strings, per run"). A fleet's
/// Secret lists repeat the same texts: every target holds the same kubeconfig, secret name, cluster-name key and
/// annotation for a source, so at 250 clusters the 62,250 remote secrets a New-Mesh re-run reads hold 250 distinct
/// kubeconfigs and a few hundred distinct short strings. One string per distinct text is handed out instead of a copy
/// per item. The table holds kubeconfig tokens, so it belongs to a <see cref="KubeRun"/>, which decides how long it
/// lives and ends it (<see cref="End"/>) when the run ends.
/// </summary>
internal sealed class KubeListStrings
{
    /// <summary>Strings at least this long (UTF-8 bytes) are keyed by SHA-256: kubeconfigs, certificates, tokens.</summary>
    public const int LongLength = 512;

    // Long texts: at 250 clusters about 250 kubeconfigs plus tokens and CAs; a run that sees more starts over.
    private const int LongCapacity = 16384;

    // Short texts (names, keys, labels): unique values such as uids would otherwise grow the table without reuse,
    // so it stops taking new entries when full (what is in it is still handed out).
    private const int ShortCapacity = 65536;

    private readonly ConcurrentDictionary<(ulong, ulong, int), string> _long = new();
    private readonly ConcurrentDictionary<(ulong, int), string> _short = new();
    private volatile bool _ended;

    /// <summary>How many strings the table holds (tests: zero once the run ended).</summary>
    internal int Count => _long.Count + _short.Count;

    /// <summary>Empties the table for good (its run ended): later reads get copies, and nothing is kept.</summary>
    internal void End()
    {
        _ended = true;
        _long.Clear();
        _short.Clear();
    }

    /// <summary>
    /// The string for unescaped UTF-8 <paramref name="utf8"/> shorter than <see cref="LongLength"/>. Only ASCII is
    /// shared, so a string found under the key is compared with the bytes character by character: a hash collision
    /// can only cost a copy, never hand out another text.
    /// </summary>
    public string Short(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (!Ascii.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = 14695981039346656037UL; // FNV-1a: cheap, and every hit is verified below
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var key = (hash, utf8.Length);
        if (_short.TryGetValue(key, out var known))
        {
            if (SameAscii(known, utf8))
            {
                return known;
            }

            return Encoding.ASCII.GetString(utf8);
        }

        var text = Encoding.ASCII.GetString(utf8);
        if (!_ended && _short.Count < ShortCapacity)
        {
            text = _short.GetOrAdd(key, text);
            if (_ended)
            {
                _short.Clear();
            }
        }

        return text;
    }

    /// <summary>
    /// The string for unescaped UTF-8 <paramref name="text"/> of at least <see cref="LongLength"/> bytes, keyed by
    /// the first 128 bits of its SHA-256 and its length (the text itself is never a key).
    /// </summary>
    public string Long(ReadOnlySpan<byte> text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text, hash);
        var key = (MemoryMarshal.Read<ulong>(hash), MemoryMarshal.Read<ulong>(hash[8..]), text.Length);
        if (_long.TryGetValue(key, out var known))
        {
            return known;
        }

        var decoded = Encoding.UTF8.GetString(text);
        if (_ended)
        {
            return decoded;
        }

        if (_long.Count >= LongCapacity)
        {
            _long.Clear();
        }

        decoded = _long.GetOrAdd(key, decoded);
        if (_ended)
        {
            _long.Clear();
        }

        return decoded;
    }

    /// <summary>Copies a long JSON string out of the reader (escapes resolved) into a pooled buffer and shares it.</summary>
    public string Long(ref System.Text.Json.Utf8JsonReader reader, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            return Long(buffer.AsSpan(0, reader.CopyString(buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool SameAscii(string known, ReadOnlySpan<byte> utf8)
    {
        if (known.Length != utf8.Length)
        {
            return false;
        }

        for (var i = 0; i < utf8.Length; i++)
        {
            if (known[i] != utf8[i])
            {
                return false;
            }
        }

        return true;
    }
}
