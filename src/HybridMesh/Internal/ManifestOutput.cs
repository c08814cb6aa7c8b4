using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;

namespace HybridMesh.Internal;

/// <summary>
/// -ManifestOnly output for GitOps (docs/design/gitops-manifests.md). Without -OutputDirectory each document is written
/// as the YAML string it always was, carrying its cluster's kubeconfig context as a Context property: `> file.yaml`
/// still writes plain YAML, and `Group-Object Context` splits the output per cluster. With -OutputDirectory the
/// documents are collected and written at the end as one file per context (LF line endings, UTF-8 without BOM), one
/// ShouldProcess per file, and a FileInfo is returned per file.
/// </summary>
internal sealed partial class ManifestOutput
{
    private readonly PSCmdlet _cmdlet;
    private readonly string? _directory;
    private readonly List<(string Context, string Stem, string Yaml)> _documents = [];

    /// <param name="cmdlet">The cmdlet writing the output.</param>
    /// <param name="directory">The resolved -OutputDirectory, or null to write the documents to the pipeline.</param>
    public ManifestOutput(PSCmdlet cmdlet, string? directory)
    {
        _cmdlet = cmdlet;
        _directory = directory;
    }

    /// <summary>One document of one cluster; <paramref name="fileStem"/> names its file when there is no context.</summary>
    public void Write(string context, string yaml, string? fileStem = null)
    {
        if (_directory is null)
        {
            _cmdlet.WriteObject(Tag(yaml, context));
            return;
        }

        _documents.Add((context, string.IsNullOrEmpty(context) ? fileStem ?? "manifest" : context, yaml));
    }

    /// <summary>Writes the files (with -OutputDirectory); nothing otherwise.</summary>
    public void Complete()
    {
        if (_directory is null)
        {
            return;
        }

        // GroupBy keeps the order in which contexts first appeared: files come out in cluster order.
        foreach (var file in _documents.GroupBy(d => d.Stem, StringComparer.Ordinal))
        {
            var path = Path.Combine(_directory, FileName(file.Key));
            if (!_cmdlet.ShouldProcess(path, $"Write the manifests of '{file.Key}'"))
            {
                continue;
            }

            Directory.CreateDirectory(_directory);
            File.WriteAllText(path, string.Concat(file.Select(d => Lf(d.Yaml))), new UTF8Encoding(false));
            _cmdlet.WriteObject(new FileInfo(path));
        }
    }

    /// <summary>The YAML string with its context as a property (a string for every consumer, an object for scripts).</summary>
    internal static PSObject Tag(string yaml, string context)
    {
        var output = new PSObject(yaml);
        output.Properties.Add(new PSNoteProperty("Context", context));
        return output;
    }

    /// <summary>
    /// The context a rendered document names in its first line, "# Context: NAME (...)" or "# Context: NAME" (the
    /// header our renderers write), or "" when it names none.
    /// </summary>
    internal static string ContextOf(string document)
    {
        var match = HeaderPattern().Match(document);
        return match.Success ? match.Groups["context"].Value : "";
    }

    /// <summary>A file name for a context: characters no file system takes (: / \ and the like) become '_'.</summary>
    internal static string FileName(string stem)
    {
        var invalid = new HashSet<char>(Path.GetInvalidFileNameChars()) { ':', '/', '\\', '*', '?', '"', '<', '>', '|' };
        var name = new string(stem.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray()).Trim('.', ' ');
        return (name.Length == 0 ? "manifest" : name) + ".yaml";
    }

    private static string Lf(string yaml)
    {
        var text = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text : text + "\n";
    }

    [GeneratedRegex(@"\A# Context: (?<context>[^\s]+)(?: \(.*)?\r?\n")]
    private static partial Regex HeaderPattern();
}
